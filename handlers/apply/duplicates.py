"""Duplicates across localities: the same person applying in two communes, or for two policies of which one
person keeps only one. Flagged to the officials of every commune concerned, never refused automatically.

The same ID number for the same policy is refused at submission (handlers.intake); everything else that
looks like the same person (the same ID number, or the same name and birth date under another ID number,
as a CMND and the CCCD that replaced it) is a flag: the officials decide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import actions, admin_units, app_code
from handlers.turn import Button, Notice, Reply
from messages.i18n import _
from messages.vocabulary import KIND_LABELS, ONE_TIME_CASH_POLICIES, AreaLevel
from storage import applications as repo
from storage.models import Application
from storage.officials import chats_of, commune_officials

MAX_LISTED = 5  # matches named in one notice or view


@dataclass(frozen=True)
class Match:
    application: Application
    same_id: bool  # else the same name and birth date under another ID number


def conflicts(application: Application, other: Application) -> bool:
    """Whether `other`, an application of the same person, is worth an official's look."""
    if other.commune_code != application.commune_code:
        return True  # one person, two communes: at most one of them should pay
    if mutually_exclusive(application.policy_id, other.policy_id):
        return True
    # The same policy under another ID number (same name and birth date): a second application in disguise.
    return other.policy_id == application.policy_id and other.id_hash != application.id_hash


async def matches(session: AsyncSession, application: Application) -> list[Match]:
    found = await repo.same_person(session, application.id_hash, application.person_hash, exclude_id=application.id)
    return [Match(other, other.id_hash == application.id_hash) for other in found if conflicts(application, other)]


def _commune(application: Application) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, application.commune_code)
    return unit.full_name if unit else str(application.commune_code)


def mutually_exclusive(policy_a: str, policy_b: str) -> bool:
    """Two different policies of which one person keeps only one (the one-regime rule): both one-time cash."""
    return policy_a != policy_b and policy_a in ONE_TIME_CASH_POLICIES and policy_b in ONE_TIME_CASH_POLICIES


def _policy(application: Application) -> str:
    label = KIND_LABELS.get(application.policy_id)  # an application's policy is one of the kinds applied for
    return _(label) if label else application.policy_id


def describe(match: Match) -> str:
    """ "TD-ABCD-EFG – Lao động tự do – Xã …, Huyện …, Tỉnh … (cùng số CCCD/CMND)"."""
    why = _("same ID number") if match.same_id else _("same name and date of birth, another ID number")
    return _("{code} – {policy} – {commune} ({why})").format(
        code=app_code.display(match.application.code),
        policy=_policy(match.application),
        commune=_commune(match.application),
        why=why,
    )


def view_lines(found: Sequence[Match]) -> list[str]:
    if not found:
        return []
    lines = ["⚠️ " + _("Possibly the same person (check before approving; not refused automatically):")]
    lines += [f"• {describe(match)}" for match in found[:MAX_LISTED]]
    return lines


async def notices(session: AsyncSession, application: Application, found: Sequence[Match]) -> list[Notice]:
    """A notice to the commune officials of the new application and of each matching one, each with a button
    to open the application of their own commune."""
    if not found:
        return []
    listed = found[:MAX_LISTED]
    codes = ", ".join(app_code.display(m.application.code) for m in listed)
    result: list[Notice] = []
    new_text = "⚠️ " + _(
        "New application {code} ({name}, {policy}, {commune}) may be from the same person as: {matches}. "
        "It has not been refused: please check with the other commune before approving."
    ).format(
        code=app_code.display(application.code),
        name=application.full_name,
        policy=_policy(application),
        commune=_commune(application),
        matches="; ".join(describe(m) for m in listed),
    )
    new_reply = Reply(new_text, [[Button(_("Open the application"), actions.OF_OPEN.pack(application.id))]])
    for channel, chat_id in await chats_of(session, await commune_officials(session, [application.commune_code])):
        result.append(Notice(channel, chat_id, new_reply))
    for match in listed:
        other = match.application
        if other.commune_code == application.commune_code:
            continue  # the same officials: told above
        text = "⚠️ " + _(
            "Application {code} of your commune ({name}) may be from the same person as new application {new} "
            "({policy}, {commune}). Please check with the other commune before paying. Related: {codes}."
        ).format(
            code=app_code.display(other.code),
            name=other.full_name,
            new=app_code.display(application.code),
            policy=_policy(application),
            commune=_commune(application),
            codes=codes,
        )
        reply = Reply(text, [[Button(_("Open the application"), actions.OF_OPEN.pack(other.id))]])
        for channel, chat_id in await chats_of(session, await commune_officials(session, [other.commune_code])):
            result.append(Notice(channel, chat_id, reply))
    return result
