"""The one place where the web console calls the domain: status changes, XLSX export and import,
reports, announcements and login links.

Each function is a thin call into the services the chat and the CLI use (handlers.review.service,
handlers.announce.service, handlers.report.service, bot.exchange, storage.lookups), so the chat, the
CLI and the web share one set of rules: area scope, lifecycle, audit.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot import exchange
from bot.app import HoTro
from handlers.announce import service as announcements
from handlers.report import service as progress_report
from handlers.review import lifecycle
from handlers.review import service as review
from handlers.review.console_login import link_message, new_login_link
from handlers.turn import Reply
from storage import broadcasts, lookups, outbox
from storage import console as console_queries
from storage.broadcasts import Audience
from storage.models import Application, Broadcast, Official

PaymentInfo = lifecycle.PaymentInfo
TransitionError = lifecycle.TransitionError
ExchangeError = exchange.ExchangeError
ImportReport = exchange.ImportReport


def actor(official: Official) -> str:
    return review.official_actor(official)


def can_move(application: Application, target: str) -> bool:
    return lifecycle.can_move(application, target)


def date_problem(application: Application, *, decision_date: date | None, paid_on: date | None) -> str | None:
    """The lifecycle's check of a decision or payment date against the filing and decision dates
    (the same words as in the chat and the import), before the change is tried."""
    return lifecycle.date_problem(
        lifecycle.filed_on(application), application.decision_date, decision_date=decision_date, paid_on=paid_on
    )


def changes(session: AsyncSession, app: HoTro, now: datetime) -> review.OutboxQueue:
    """The notices of a request's changes: written to the outbox in the request's transaction, their rows'
    ids sent right after the commit (the sessions keep attributes on commit, so the ids stay readable)."""
    return review.OutboxQueue(session, now, app.protector)


async def change_status(
    session: AsyncSession,
    official: Official,
    application: Application,
    target: str,
    *,
    now: datetime,
    changed: review.OutboxQueue,
    note: str | None = None,
    decision_number: str | None = None,
    decision_date: date | None = None,
    amount: int | None = None,
    payment: PaymentInfo | None = None,
) -> None:
    """One lifecycle step with its audit row and the citizen's notice (review.change), in the caller's session."""
    if not review.may_act(official, application):
        raise TransitionError("outside the official's area")
    await review.change(
        session,
        application,
        target,
        changed,
        actor=actor(official),
        now=now,
        protector=changed.protector,
        note=note,
        decision_number=decision_number,
        decision_date=decision_date,
        amount=amount,
        payment=payment,
    )


async def send_notices(app: HoTro, changed: review.OutboxQueue) -> None:
    """After the commit: send the notices now (the sender loop retries any that fail)."""
    if changed.ids:
        await app.sender.deliver(changed.ids)


def audit_view(session: AsyncSession, official: Official, application: Application, now: datetime) -> None:
    """The same audit row as the chat's view of an application."""
    lookups.audit_view(session, actor(official), "view", application, now)


def audit_search(session: AsyncSession, official: Official, what: str, found: int, now: datetime) -> None:
    """A search by code, ID number or phone: which kind and how many found, never the value."""
    console_queries.audit_lookup(session, actor(official), f"web:{what}:{found}", now)


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
async def report_text(session: AsyncSession, official: Official, today: date, now: datetime) -> str:
    """The daily report of the official's area, as /baocao and the daily push render it."""
    return await progress_report.area_text(session, official, today, now)


# ---- announcements ----------------------------------------------------------------------------
def check_audience(official: Official, audience: Audience) -> None:
    announcements.check(official, audience)


def audience_error(error: broadcasts.AudienceError) -> str:
    return announcements.audience_error(error)


def clean_announcement(text: str) -> tuple[str | None, str | None]:
    """(the cleaned text, None) or (None, the problem)."""
    result = announcements.clean_announcement(text)
    if result.ok:
        return result.value, None  # type: ignore[union-attr]
    return None, result.message  # type: ignore[union-attr]


async def preview_announcement(
    session: AsyncSession, official: Official, audience: Audience, text: str
) -> announcements.Preview:
    return await announcements.preview(session, official, audience, text)


def describe_audience(audience: Audience, official: Official) -> str:
    return announcements.describe(audience, official)


async def send_announcement(
    session: AsyncSession, official: Official, audience: Audience, text: str, now: datetime
) -> tuple[Broadcast, int]:
    """Draft and send at once (the web's preview is its own page): the broadcast and its recipients."""
    draft = await announcements.create_draft(session, official, audience, text, now)
    return draft, await announcements.send(session, official, draft, now)


async def find_announcement(session: AsyncSession, official: Official, broadcast_id: int) -> Broadcast | None:
    return await announcements.find_own(session, official, broadcast_id)


async def cancel_announcement(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    return await announcements.stop(session, broadcast_id, now)


async def recent_announcements(session: AsyncSession, official: Official, limit: int = 20) -> list[Broadcast]:
    return await announcements.recent(session, official, limit)


async def announcement_progress(session: AsyncSession, ids: Sequence[int]) -> dict[int, broadcasts.Progress]:
    return await broadcasts.progress(session, ids)


ANNOUNCEMENT_LABELS = announcements.STATUS_LABELS
within = announcements.within


# ---- login links ------------------------------------------------------------------------------
async def login_link(session: AsyncSession, official: Official, public_url: str, now: datetime) -> str:
    return await new_login_link(session, official, public_url, now)


def login_link_message(url: str) -> str:
    return link_message(url)


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
