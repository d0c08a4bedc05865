"""The complaints service: submit, acknowledge, answer, the citizen's one reply, and a complaint rendered with
its thread. Complaints and feedback (phản ánh, kiến nghị) come from the main menu, about one application, or
as an anonymous report of policy abuse; each gets a code (PA-…) to follow it.

A complaint goes to the officials of its area and to the area's monitors (the Fatherland Front, read-only);
an official acknowledges and answers it within the deployment's working days; the citizen is told and may
reply once more. The services below are shared by the chat and the web console; they refuse a monitor.
An anonymous report keeps no chat: officials never learn who sent it, and it is followed by its code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import actions, admin_units, app_code
from handlers.turn import Button, Notice, Reply
from messages import fmt
from messages.i18n import _
from messages.vocabulary import (
    COMPLAINT_CATEGORY_LABELS,
    OPEN_COMPLAINT_STATUSES,
    AreaLevel,
    ComplaintStatus,
    complaint_status_label,
)
from storage import actors
from storage import complaints as repo
from storage.complaints import ACKNOWLEDGED, ANSWER, CITIZEN, REPLY, TEXT
from storage.crypto import DataProtector
from storage.deadlines import complaint_dues
from storage.models import Application, Complaint, Official
from storage.officials import covers, may_change, officials_for

PREFIX = "PA"
MAX_TEXT = 2000


class NotAllowed(PermissionError):
    """A monitor, or an official of another area, tried to change a complaint."""


@dataclass(frozen=True)
class Deadlines:
    ack_working_days: int = 3
    answer_working_days: int = 10


def deadlines_of(settings: Any) -> Deadlines:
    """The deployment's deadlines (bot.config.Settings.complaint_*_working_days)."""
    return Deadlines(settings.complaint_ack_working_days, settings.complaint_answer_working_days)


def display_code(code: str) -> str:
    return app_code.display(code)


def official_actor(official: Official) -> str:
    return actors.official(official.id)


# ---- services ----------------------------------------------------------------------------------
async def _new_code(session: AsyncSession) -> str:
    while True:
        code = app_code.new_code(PREFIX)
        if not await repo.code_exists(session, code):
            return code


def _open_button(complaint: Complaint) -> list[list[Button]]:
    return [[Button(_("Open the complaint"), actions.COMPLAINT_OPEN.pack(complaint.id))]]


async def submit(
    session: AsyncSession,
    protector: DataProtector,
    *,
    category: str,
    text: str,
    attachments: list[dict[str, Any]],
    commune_code: int,
    application: Application | None,
    channel: str | None,
    chat_id: str | None,
    anonymous: bool,
    now: datetime,
    deadlines: Deadlines,
) -> tuple[Complaint, list[Notice]]:
    """Store a complaint (its text encrypted) and the notices to the area's officials and monitors."""
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    district = admin_units.get(AreaLevel.DISTRICT, commune.parent_code) if commune and commune.parent_code else None
    if commune is None or district is None or district.parent_code is None:
        raise ValueError(commune_code)
    ack_due, answer_due = complaint_dues(
        fmt.today_local(now), deadlines.ack_working_days, deadlines.answer_working_days
    )
    complaint = Complaint(
        code=await _new_code(session),
        category=category,
        status=ComplaintStatus.NEW,
        anonymous=anonymous,
        channel=None if anonymous else channel,
        chat_id=None if anonymous else chat_id,
        application_id=application.id if application is not None and not anonymous else None,
        province_code=district.parent_code,
        district_code=district.code,
        commune_code=commune.code,
        citizen_replies=0,
        created_at=now,
        updated_at=now,
        ack_due=ack_due,
        answer_due=answer_due,
    )
    await repo.add(session, complaint, text, attachments, protector)
    notice = _("New complaint {code} ({category}) in {place}: acknowledge by {ack}, answer by {answer}.").format(
        code=display_code(complaint.code),
        category=_(COMPLAINT_CATEGORY_LABELS[category]),
        place=commune.full_name,
        ack=fmt.day(ack_due),
        answer=fmt.day(answer_due),
    )
    notices = [
        Notice(official.channel, official.user_id, Reply(notice, _open_button(complaint)))
        for official in await officials_for(session, complaint, monitors=True)
    ]
    return complaint, notices


def _check(official: Official, complaint: Complaint) -> None:
    if not may_change(official) or not covers(official, complaint):
        raise NotAllowed(official_actor(official))


def _citizen_notice(complaint: Complaint, text: str, buttons: list[list[Button]] | None = None) -> list[Notice]:
    if complaint.channel is None or complaint.chat_id is None:
        return []  # anonymous: the citizen follows it by its code
    return [Notice(complaint.channel, complaint.chat_id, Reply(text, buttons or []))]


async def acknowledge(
    session: AsyncSession, protector: DataProtector, official: Official, complaint: Complaint, now: datetime
) -> list[Notice]:
    _check(official, complaint)
    if complaint.status != ComplaintStatus.NEW:
        return []
    complaint.status = ComplaintStatus.ACKNOWLEDGED
    complaint.acknowledged_at, complaint.acknowledged_by = now, official_actor(official)
    await repo.add_entry(session, complaint, ACKNOWLEDGED, official_actor(official), None, protector, now)
    return _citizen_notice(
        complaint,
        _("Your complaint {code} has been received by the officials and is being handled; answer by {date}.").format(
            code=display_code(complaint.code), date=fmt.day(complaint.answer_due)
        ),
    )


def can_reply(complaint: Complaint) -> bool:
    """The citizen may reply once to an answer (not an anonymous report: it has no chat)."""
    return complaint.status == ComplaintStatus.ANSWERED and complaint.citizen_replies == 0 and not complaint.anonymous


async def answer(
    session: AsyncSession,
    protector: DataProtector,
    official: Official,
    complaint: Complaint,
    text: str,
    now: datetime,
) -> list[Notice]:
    _check(official, complaint)
    if complaint.status not in OPEN_COMPLAINT_STATUSES:
        raise NotAllowed("already answered")
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at, complaint.acknowledged_by = now, official_actor(official)
    complaint.status = ComplaintStatus.ANSWERED
    complaint.answered_at, complaint.answered_by = now, official_actor(official)
    await repo.add_entry(session, complaint, ANSWER, official_actor(official), text, protector, now)
    buttons = (
        [[Button(_("Reply once more"), actions.COMPLAINT_REPLY.pack(complaint.id))]] if can_reply(complaint) else []
    )
    buttons.append([Button(_("My complaints"), "pa:my")])
    return _citizen_notice(
        complaint,
        _("Answer to your complaint {code}:\n“{answer}”").format(code=display_code(complaint.code), answer=text)
        + ("\n" + _("If you are not satisfied, you may reply once more.") if can_reply(complaint) else ""),
        buttons,
    )


async def reply(
    session: AsyncSession,
    protector: DataProtector,
    complaint: Complaint,
    text: str,
    now: datetime,
    deadlines: Deadlines,
) -> list[Notice]:
    """The citizen's one further reply: the complaint is open again with a new answer deadline."""
    if not can_reply(complaint):
        raise NotAllowed("no reply left")
    complaint.citizen_replies += 1
    complaint.status = ComplaintStatus.FOLLOW_UP
    complaint.answer_due = complaint_dues(
        fmt.today_local(now), deadlines.ack_working_days, deadlines.answer_working_days
    )[1]
    await repo.add_entry(session, complaint, REPLY, CITIZEN, text, protector, now)
    note = _("The citizen replied to the answer of complaint {code}; answer again by {date}.").format(
        code=display_code(complaint.code), date=fmt.day(complaint.answer_due)
    )
    return [
        Notice(official.channel, official.user_id, Reply(note, _open_button(complaint)))
        for official in await officials_for(session, complaint, monitors=True)
    ]


async def render(
    session: AsyncSession, protector: DataProtector, complaint: Complaint, today_: Any, *, for_officials: bool
) -> str:
    """A complaint and its thread, as officials and monitors (or its own sender) read it."""
    commune = admin_units.get(AreaLevel.COMMUNE, complaint.commune_code)
    lines = [
        _("Complaint {code} – {category}").format(
            code=display_code(complaint.code), category=_(COMPLAINT_CATEGORY_LABELS[complaint.category])
        ),
        _("Status: {status}").format(status=complaint_status_label(complaint.status)),
        _("Received: {date}").format(date=fmt.moment(complaint.created_at)),
        _("Area: {place}").format(place=commune.full_name if commune else complaint.commune_code),
    ]
    if complaint.application_id is not None:
        application = await session.get(Application, complaint.application_id)
        if application is not None:
            lines.append(
                _("About application {code} – {name}").format(
                    code=app_code.display(application.code), name=application.full_name
                )
            )
    if for_officials:
        if complaint.anonymous:
            lines.append(_("Sender: anonymous (no chat is kept; the sender follows it by its code)"))
        late = []
        if complaint.status == ComplaintStatus.NEW:
            late.append((complaint.ack_due, _("Acknowledge by {date}")))
        if complaint.status in OPEN_COMPLAINT_STATUSES:
            late.append((complaint.answer_due, _("Answer by {date}")))
        for due, text in late:
            lines.append(("⚠️ " if today_ > due else "") + text.format(date=fmt.day(due)))
    labels = {
        TEXT: _("Complaint"),
        ACKNOWLEDGED: _("Acknowledged by the officials"),
        ANSWER: _("Answer"),
        REPLY: _("The citizen's reply"),
    }
    for entry in await repo.thread(session, complaint, protector):
        head = f"{fmt.moment(entry.at)} – {labels.get(entry.kind, entry.kind)}"
        body = f": “{entry.body}”" if entry.body else ""
        files = _(" ({n} photo(s) attached)").format(n=len(entry.attachments)) if entry.attachments else ""
        lines.append(f"• {head}{body}{files}")
    text = "\n".join(lines)
    return text if len(text) <= 4000 else text[:3999] + "…"
