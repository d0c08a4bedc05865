"""Who did something, as the audit trail records it (StatusEvent.actor, AuditLog.actor, the complaints'
and postings' audits): "official:<id>", "citizen:<channel>:<user id>", or "cli:<user>" for a command run
on the server."""

from __future__ import annotations

import re

OFFICIAL = "official:"
CITIZEN = "citizen:"
CLI = "cli:"
_OFFICIAL_ID = re.compile(rf"{OFFICIAL}(\d+)")


def official(official_id: int) -> str:
    return f"{OFFICIAL}{official_id}"


def citizen(channel: str, user_id: str) -> str:
    return f"{CITIZEN}{channel}:{user_id}"


def official_id(actor: str) -> int | None:
    """The id of the official an actor names, None for anyone else."""
    m = _OFFICIAL_ID.fullmatch(actor)
    return int(m.group(1)) if m else None


def is_citizen(actor: str) -> bool:
    return actor.startswith(CITIZEN)


def command_line(user: str) -> str:
    """A command run on the server by this operating-system user (hotro import, hotro posting)."""
    return f"{CLI}{user}"
