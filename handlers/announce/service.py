"""The announcement service: who an official may address, what recipients read, and the steps of
an announcement (preview, draft, send, progress, stop), shared by the chat (handlers/announce/chat.py)
and `hotro broadcast` (bot/announcement_sender.py, which also delivers them).

    check(official, audience)                 raises AudienceError unless the official may address it
    clean_announcement(text)                  the typed text, cleaned, or Invalid
    preview(session, official, audience, text) -> Preview   recipients counted, the message rendered
    create_draft(...) -> Broadcast            kept until confirmed
    send(session, official, broadcast, now) -> int          recipients queued (0: nobody, draft cancelled)
    find_own(session, official, id)           a broadcast this official may confirm or stop
    recent_paragraphs / stop                  progress and cancelling

Nothing here commits: the chat turn or the CLI does.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import admin_units
from handlers.validators import Invalid, Result, Valid
from messages import fmt, vocabulary
from messages.i18n import N_, _, ngettext
from messages.vocabulary import ApplicationKind, AreaLevel, BroadcastStatus, Role
from storage import broadcasts as store
from storage import officials
from storage.broadcasts import Audience, AudienceError, Progress
from storage.models import Broadcast, Official

MAX_TEXT = 3500  # leaves room for the header, the opt-out footer and the preview under Telegram's 4096

STATUS_LABELS: dict[str, str] = {
    BroadcastStatus.DRAFT: N_("Draft, not sent"),
    BroadcastStatus.QUEUED: N_("Waiting to be sent"),
    BroadcastStatus.SENDING: N_("Being sent"),
    BroadcastStatus.DONE: N_("Sending finished"),
    BroadcastStatus.CANCELLED: N_("Stopped by the official"),
}
KIND_AUDIENCE: dict[str, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: N_("household business applicants"),
    ApplicationKind.FREE_WORKER: N_("free worker applicants"),
}


# ---- audiences --------------------------------------------------------------------------------
def within_area(role: str, area_code: int | None, level: str, code: int) -> bool:
    """Is this unit the area of a `role` official of `area_code`, or inside it?"""
    unit = admin_units.get(level, code) if level in store.LEVELS else None
    if unit is None:
        return False
    if role == Role.ADMIN:
        return True
    while unit is not None:
        if unit.level == role and unit.code == area_code:
            return True
        parent = {AreaLevel.COMMUNE: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.PROVINCE}.get(unit.level)
        unit = admin_units.get(parent, unit.parent_code) if parent and unit.parent_code else None
    return False


def within(official: Official, level: str, code: int) -> bool:
    return within_area(official.role, official.area_code, level, code)


def check(official: Official, audience: Audience) -> None:
    """Raise AudienceError unless this official may address this audience."""
    if audience.type == "all" and not store.may_address_everyone(official):
        raise AudienceError("all_not_allowed")
    if audience.type == "area" and not within(official, audience.level or "", audience.code or 0):
        raise AudienceError("outside_area")
    if audience.type == "status" and audience.status not in vocabulary.STATUS_LABELS:
        raise AudienceError("malformed")
    if audience.type == "kind" and audience.kind not in store.KINDS:
        raise AudienceError("malformed")


def audience_error(error: AudienceError) -> str:
    if error.code == "malformed":
        return _(
            "“{audience}” is not a valid audience. Use one of: all | area:<province|district|commune>:<GSO code> | "
            "kind:household_business | kind:free_worker | status:<{statuses}>."
        ).format(audience=str(error), statuses="|".join(vocabulary.STATUSES))
    return {
        "all_not_allowed": _("Only province officials and administrators can address everyone."),
        "outside_area": _("That area is outside your own area; you can only address people in your area."),
    }.get(error.code, _("That audience is not valid."))


async def unreachable_note(session: AsyncSession, official: Official, audience: Audience) -> str | None:
    """Why some applicants the audience matches get nothing: they use the console, which only prints
    while its user is at the terminal."""
    count = await store.count_recipients(session, official, audience, unreachable=True)
    if not count:
        return None
    return _(
        "{n} matching people use the console (hotro chat), which cannot receive announcements: it only shows "
        "messages while its user is chatting."
    ).format(n=fmt.number(count))


def place(level: str, code: int | None) -> str:
    unit = admin_units.get(level, code) if level in store.LEVELS and code is not None else None
    return unit.full_name if unit else str(code)


def official_area(official: Official) -> str | None:
    if official.role == Role.ADMIN or official.area_code is None:
        return None
    return place(official.role, official.area_code)


def describe(audience: Audience, official: Official | None = None) -> str:
    """Who receives it, in words: "người nộp hồ sơ tại Xã Nhật Tiến, …"."""
    if audience.type == "all":
        return _("everyone who receives announcements")
    if audience.type == "area":
        return _("applicants in {place}").format(place=place(audience.level or "", audience.code))
    if audience.type == "kind":
        who = _(KIND_AUDIENCE.get(audience.kind or "", audience.kind or ""))
    else:
        status = vocabulary.STATUS_LABELS.get(audience.status or "")
        who = _("applicants whose application is “{status}”").format(status=_(status) if status else audience.status)
    area = official_area(official) if official is not None else None
    return _("{who}, in {place}").format(who=who, place=area) if area else who


def render_message(text: str, official: Official) -> str:
    """What every recipient reads: who it is from, the text, and how to opt out."""
    sender = official_area(official) or "HoTro"
    return "\n\n".join(
        [
            _("📢 Announcement from {sender}").format(sender=sender),
            text,
            "—\n" + _("To stop receiving announcements, send /tatthongbao. To receive them again, send /batthongbao."),
        ]
    )


def final_report(broadcast: Broadcast) -> str:
    """The official's report when their announcement has been sent to everyone it could reach."""
    return "\n".join(
        [
            _("📢 Announcement #{id} has been sent.").format(id=broadcast.id),
            _("Recipients: {n}").format(n=fmt.number(broadcast.total)),
            _("Delivered: {n}").format(n=fmt.number(broadcast.sent_count)),
            _("Failed: {n}").format(n=fmt.number(broadcast.failed_count)),
            _("Blocked the bot: {n}").format(n=fmt.number(broadcast.blocked_count)),
        ]
    )


_NEWLINES = re.compile(r"\n{3,}")
_HSPACE = re.compile(r"[^\S\n]+")


def clean_announcement(text: str) -> Result[str]:
    """The announcement as typed: NFC, without control characters; line breaks are kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _NEWLINES.sub("\n\n", "\n".join(_HSPACE.sub(" ", line).strip() for line in text.split("\n"))).strip()
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if len(text) > MAX_TEXT:
        return Invalid(
            _(
                "The announcement is too long ({length} characters). Please shorten it to at most {max} characters."
            ).format(length=fmt.number(len(text)), max=fmt.number(MAX_TEXT)),
            "too_long",
        )
    return Valid(text)


def duration(count: int, rate: float) -> str:
    """About how long sending takes, in words."""
    minutes = max(1, math.ceil(count / max(rate, 0.1) / 60))
    return ngettext("It takes about {n} minute to send.", "It takes about {n} minutes to send.", minutes).format(
        n=fmt.number(minutes)
    )


def _progress_line(counts: Progress, total: int) -> str:
    parts = [
        _("sent {n}").format(n=fmt.number(counts.sent)),
        _("failed {n}").format(n=fmt.number(counts.failed)),
        _("blocked {n}").format(n=fmt.number(counts.blocked)),
        _("remaining {n}").format(n=fmt.number(counts.remaining)),
    ]
    if counts.cancelled:
        parts.append(_("stopped before sending {n}").format(n=fmt.number(counts.cancelled)))
    return " · ".join(parts) + " " + _("(of {total})").format(total=fmt.number(total))


def _excerpt(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def describe_recent(session: AsyncSession, items: list[Broadcast]) -> list[str]:
    """One paragraph per broadcast with its live progress (shared with `hotro broadcast --status`)."""
    counts = await store.progress(session, [b.id for b in items])
    senders = {b.official_id: await officials.by_id(session, b.official_id) for b in items}
    out = []
    for b in items:
        official = senders[b.official_id]
        out.append(
            "\n".join(
                [
                    f"#{b.id} · {fmt.moment(b.queued_at or b.created_at)} · {_(STATUS_LABELS.get(b.status, b.status))}",
                    _("To: {audience}").format(audience=describe(Audience.from_json(b.audience), official)),
                    f"“{_excerpt(b.text)}”",
                    _progress_line(counts[b.id], b.total or counts[b.id].total),
                ]
            )
        )
    return out


# ---- the steps ----------------------------------------------------------------------------------
class NotYours(Exception):
    """The broadcast does not exist, or this official did not create it."""


class AlreadyConfirmed(Exception):
    """The broadcast is no longer a draft."""


@dataclass(frozen=True)
class Preview:
    count: int  # recipients it would reach now
    message: str  # exactly what each of them reads
    unreachable: str | None  # why some matching people get nothing (console users), if any


async def preview(session: AsyncSession, official: Official, audience: Audience, text: str) -> Preview:
    """Count the recipients and render the message; raises AudienceError for an audience not allowed."""
    check(official, audience)
    count = await store.count_recipients(session, official, audience)
    note = await unreachable_note(session, official, audience)
    return Preview(count, render_message(text, official), note)


async def create_draft(
    session: AsyncSession, official: Official, audience: Audience, text: str, now: datetime
) -> Broadcast:
    return await store.create(session, official, audience, text, now)


async def find_own(session: AsyncSession, official: Official, broadcast_id: int) -> Broadcast | None:
    """The broadcast, if this official may confirm or stop it (their own; an admin any)."""
    broadcast = await store.get(session, broadcast_id)
    if broadcast is None or (official.role != Role.ADMIN and broadcast.official_id != official.id):
        return None
    return broadcast


async def send(session: AsyncSession, official: Official, broadcast: Broadcast, now: datetime) -> int:
    """Queue a draft for every recipient it reaches now; returns how many (0: nobody, and the draft is
    cancelled). Raises AlreadyConfirmed, NotYours (only its creator sends it) or AudienceError (the
    official's area changed since the draft)."""
    if broadcast.status != BroadcastStatus.DRAFT:
        raise AlreadyConfirmed(broadcast.id)
    creator = await officials.by_id(session, broadcast.official_id)
    if creator is None or creator.id != official.id:
        raise NotYours(broadcast.id)
    check(official, Audience.from_json(broadcast.audience))
    total = await store.queue(session, broadcast, official, render_message(broadcast.text, official), now)
    if total == 0:
        await store.cancel(session, broadcast.id, now)
    return total


async def stop(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Stop an announcement being sent; False when it no longer is."""
    return await store.cancel(session, broadcast_id, now)


async def remaining(session: AsyncSession, broadcast: Broadcast) -> int:
    return (await store.progress(session, [broadcast.id]))[broadcast.id].remaining


async def recent(session: AsyncSession, official: Official | None, limit: int) -> list[Broadcast]:
    """The latest announcements (of this official; all with None)."""
    return await store.recent(session, official, limit)
