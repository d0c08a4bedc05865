"""The one place where the web console calls the domain: status changes, XLSX export and import,
reports, announcements and login links.

Each function is what the chat and the CLI already use (handlers.lifecycle with the citizen's notice
queued in the outbox as handlers/officials.py does, bot.exchange, storage.reports, storage.broadcasts),
so the chat, the CLI and the web share one set of rules: area scope, lifecycle, audit. When the
service layer of issue 15 lands, these bodies switch to it and the routes do not change.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot import exchange
from bot.app import HoTro
from handlers import broadcast as broadcast_rules
from handlers import lifecycle, web_login
from handlers.report import area_name, render_report
from handlers.turn import Reply
from messages.vocabulary import ApplicationStatus
from storage import broadcasts, outbox
from storage.broadcasts import Audience
from storage.models import Application, AuditLog, Broadcast, Official
from storage.officials import scope
from storage.reports import ReportData, area_report

PaymentInfo = lifecycle.PaymentInfo
TransitionError = lifecycle.TransitionError
ExchangeError = exchange.ExchangeError
ImportReport = exchange.ImportReport


def actor(official: Official) -> str:
    return f"official:{official.id}"


def can_move(application: Application, target: str) -> bool:
    return lifecycle.can_move(application, target)


def targets(application: Application) -> list[str]:
    return [status for status in lifecycle.TRANSITIONS[application.status] if status != ApplicationStatus.WITHDRAWN]


@dataclass
class Changed:
    notice_ids: list[int] = field(default_factory=list)


async def change_status(
    session: AsyncSession,
    app: HoTro,
    official: Official,
    application: Application,
    target: str,
    *,
    now: datetime,
    changed: Changed,
    note: str | None = None,
    decision_number: str | None = None,
    decision_date: date | None = None,
    amount: int | None = None,
    payment: PaymentInfo | None = None,
) -> None:
    """One lifecycle step with its audit row; the citizen's notice goes to the outbox in the same transaction."""
    notice = await lifecycle.transition(
        session,
        application,
        target,
        actor=actor(official),
        now=now,
        note=note,
        decision_number=decision_number,
        decision_date=decision_date,
        amount=amount,
        payment=payment,
    )
    if notice is not None:
        row = await outbox.enqueue(
            session, notice.channel, notice.chat_id, notice.reply.to_payload(), now, app.protector
        )
        await session.flush()  # the row's id, to send it right after the commit
        changed.notice_ids.append(row.id)


async def send_notices(app: HoTro, changed: Changed) -> None:
    """After the commit: send the notices now (the sender loop retries any that fail)."""
    if changed.notice_ids:
        await app.sender.deliver(changed.notice_ids)


def audit_view(session: AsyncSession, official: Official, application: Application, now: datetime) -> None:
    """The same audit row as the chat's view of an application (handlers.officials.show_application)."""
    session.add(AuditLog(actor=actor(official), action="view", application_id=application.id, at=now))


def audit_search(session: AsyncSession, official: Official, what: str, found: int, now: datetime) -> None:
    """A search by code, ID number or phone: which kind and how many found, never the value."""
    session.add(AuditLog(actor=actor(official), action="lookup", detail=f"web:{what}:{found}", at=now))


# ---- XLSX -----------------------------------------------------------------------------------
async def export_xlsx(
    app: HoTro, official: Official, *, statuses: Sequence[str] | None, kind: str | None, today: date
) -> tuple[bytes, int]:
    """The area's list exactly as `hotro export` writes it (audited there); the bytes and the row count."""
    with tempfile.TemporaryDirectory(prefix="hotro-export-") as tmp:
        out = Path(tmp) / "ds.xlsx"
        count = await exchange.export_applications(
            app.sessions,
            app.protector,
            role=official.role,
            area=official.area_code,
            statuses=statuses,
            kind=kind,
            out=out,
            fmt="xlsx",
            actor=actor(official),
            today=today,
        )
        return out.read_bytes(), count


async def import_sheet(app: HoTro, official: Official, file_name: str, data: bytes, now: datetime) -> ImportReport:
    """`hotro import` on an uploaded file: all rows or none, within the official's area."""
    suffix = Path(file_name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="hotro-import-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        report = await exchange.import_file(
            app.sessions, path, official=official, actor=actor(official), now=now, protector=app.protector
        )
    if report.notices:
        await app.sender.deliver()  # the import's notices now (the sender loop takes any beyond its batch)
    return report


def import_summary(report: ImportReport) -> list[str]:
    return [line.strip().removeprefix("• ") for line in exchange.summary(report)]


def import_problems(report: ImportReport) -> list[str]:
    return exchange.problem_lines(report)


# ---- reports --------------------------------------------------------------------------------
async def report(session: AsyncSession, official: Official, today: date, now: datetime) -> tuple[ReportData, str]:
    data = await area_report(session, scope(official), today, now)
    return data, render_report(data, area_name(official), today)


# ---- announcements ----------------------------------------------------------------------------
def check_audience(official: Official, audience: Audience) -> None:
    broadcast_rules.check(official, audience)


def audience_error(error: broadcasts.AudienceError) -> str:
    return broadcast_rules.audience_error(error)


def clean_announcement(text: str) -> tuple[str | None, str | None]:
    """(the cleaned text, None) or (None, the problem)."""
    result = broadcast_rules.clean_announcement(text)
    if result.ok:
        return result.value, None  # type: ignore[union-attr]
    return None, result.message  # type: ignore[union-attr]


async def count_recipients(session: AsyncSession, official: Official, audience: Audience) -> int:
    return await broadcasts.count_recipients(session, official, audience)


def announcement_message(text: str, official: Official) -> str:
    return broadcast_rules.render_message(text, official)


def describe_audience(audience: Audience, official: Official) -> str:
    return broadcast_rules.describe(audience, official)


async def send_announcement(
    session: AsyncSession, official: Official, audience: Audience, text: str, now: datetime
) -> tuple[Broadcast, int]:
    """Draft and queue at once (the web's preview is its own page): the broadcast and its recipients."""
    draft = await broadcasts.create(session, official, audience, text, now)
    total = await broadcasts.queue(session, draft, official, announcement_message(text, official), now)
    if total == 0:
        await broadcasts.cancel(session, draft.id, now)
    return draft, total


async def cancel_announcement(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    return await broadcasts.cancel(session, broadcast_id, now)


async def recent_announcements(session: AsyncSession, official: Official, limit: int = 20) -> list[Broadcast]:
    return await broadcasts.recent(session, official, limit)


async def announcement_progress(session: AsyncSession, ids: Sequence[int]) -> dict[int, broadcasts.Progress]:
    return await broadcasts.progress(session, ids)


# ---- login links ------------------------------------------------------------------------------
async def login_link(session: AsyncSession, official: Official, public_url: str, now: datetime) -> str:
    return await web_login.new_login_link(session, official, public_url, now)


def login_link_message(url: str) -> str:
    return web_login.link_message(url)


async def send_login_link(session: AsyncSession, app: HoTro, official: Official, url: str, now: datetime) -> int | None:
    """Queue the link to the official's private chat; None for a channel that cannot receive it (the console)."""
    if official.channel in broadcasts.UNREACHABLE_CHANNELS:
        return None
    channel, chat_id = await broadcasts.official_chat(session, official)
    row = await outbox.enqueue(
        session, channel, chat_id, Reply(login_link_message(url)).to_payload(), now, app.protector
    )
    await session.flush()
    return row.id
