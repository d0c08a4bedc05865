"""Look-ups of applications: by id, code and chat, an official's area lists (counted and paged in SQL),
the facts shown with one application, the look-up rate limits and the audit of who looked.

Every area query takes the official's scope (storage.officials.scope). Repositories never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import STATUSES, ApplicationStatus
from storage import actors
from storage.models import (
    Application,
    Attachment,
    AuditLog,
    LookupAttempt,
    LookupCodeAttempt,
    Official,
    Payment,
    StatusEvent,
)
from storage.officials import scope
from storage.report_figures import due_soon_parts, payment_overdue, review_overdue
from storage.sql import insert_ignore

OVERDUE = "overdue"  # the list of an official's overdue applications (next to one list per status)
DUE_SOON = "due_soon"  # … and of those due within a few working days, not late yet


async def by_id(session: AsyncSession, application_id: int) -> Application | None:
    return await session.get(Application, application_id)


async def area_counts(session: AsyncSession, official: Official) -> dict[str, int]:
    """How many applications of each status the official's area holds."""
    stmt = select(Application.status, func.count()).where(scope(official)).group_by(Application.status)
    return {status: count for status, count in (await session.execute(stmt)).all()}


def list_filter(which: str, today: date, due_within: int = 2) -> ColumnElement[bool] | None:
    """The condition of a list: a status, OVERDUE or DUE_SOON (within `due_within` working days); None for a
    list that does not exist."""
    if which == OVERDUE:
        return or_(review_overdue(today), payment_overdue(today))
    if which == DUE_SOON:
        return or_(*due_soon_parts(today, due_within))
    if which in STATUSES:
        return Application.status == which
    return None


async def area_page(
    session: AsyncSession, official: Official, condition: ColumnElement[bool], page_no: int, per_page: int
) -> tuple[int, int, Sequence[Application]]:
    """(total, page number clamped to the pages there are, the page's applications, oldest first)."""
    where = and_(scope(official), condition)
    total = (await session.execute(select(func.count()).select_from(Application).where(where))).scalar_one()
    page_count = max(1, -(-total // per_page))
    page_no = min(max(page_no, 1), page_count)
    items = (
        await session.execute(
            select(Application)
            .where(where)
            .order_by(Application.submitted_at, Application.id)
            .offset((page_no - 1) * per_page)
            .limit(per_page)
        )
    ).scalars()
    return total, page_no, items.all()


async def attachment_count(session: AsyncSession, application: Application) -> int:
    stmt = select(func.count()).select_from(Attachment).where(Attachment.application_id == application.id)
    return int((await session.execute(stmt)).scalar_one())


async def paid_total(session: AsyncSession, application: Application) -> int:
    stmt = select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.application_id == application.id)
    return int((await session.execute(stmt)).scalar_one())


async def payments(session: AsyncSession, application: Application) -> Sequence[Payment]:
    return (await session.execute(select(Payment).where(Payment.application_id == application.id))).scalars().all()


async def last_citizen_answer(session: AsyncSession, application: Application) -> StatusEvent | None:
    """The citizen's latest answer to an information request (the note of their needs_info -> under_review)."""
    stmt = (
        select(StatusEvent)
        .where(
            StatusEvent.application_id == application.id,
            StatusEvent.from_status == ApplicationStatus.NEEDS_INFO,
            StatusEvent.actor.like(f"{actors.CITIZEN}%"),
        )
        .order_by(StatusEvent.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def history(session: AsyncSession, application: Application) -> Sequence[StatusEvent]:
    """An application's audit trail, oldest first."""
    stmt = select(StatusEvent).where(StatusEvent.application_id == application.id).order_by(StatusEvent.id)
    return (await session.execute(stmt)).scalars().all()


def audit(
    session: AsyncSession,
    actor: str,
    action: str,
    now: datetime,
    *,
    application_id: int | None = None,
    detail: str | None = None,
) -> None:
    """One row of the audit of personal data seen or taken out (a view, an export, an import, a look-up)."""
    session.add(AuditLog(actor=actor, action=action, application_id=application_id, detail=detail, at=now))


def audit_view(session: AsyncSession, actor: str, action: str, application: Application, now: datetime) -> None:
    """Who saw an application ('view' by an official, 'lookup' by a citizen), or took it ('link': a citizen's
    own chat following an application registered on their behalf)."""
    session.add(AuditLog(actor=actor, action=action, application_id=application.id, at=now))


async def chat_failures(
    session: AsyncSession, channel: str, chat_id: str, now: datetime, window: timedelta
) -> LookupAttempt:
    """A chat's failed look-ups in the current window, locked for this turn (a new window starts at 0)."""
    key = {"channel": channel, "chat_id": chat_id}
    await session.execute(
        insert_ignore(session, LookupAttempt, {**key, "failures": 0, "window_start": now}, ["channel", "chat_id"])
    )
    stmt = select(LookupAttempt).filter_by(**key).with_for_update()
    attempt = (await session.execute(stmt)).scalar_one()
    if now - attempt.window_start > window:
        attempt.failures, attempt.window_start = 0, now
    return attempt


async def code_failures(session: AsyncSession, code: str, now: datetime, window: timedelta) -> LookupCodeAttempt:
    """A code's failed look-ups from every chat: a new chat (or group) gets no fresh guesses."""
    values = {"code": code[:16], "failures": 0, "window_start": now}
    await session.execute(insert_ignore(session, LookupCodeAttempt, values, ["code"]))
    stmt = select(LookupCodeAttempt).filter_by(code=code[:16]).with_for_update()
    attempt = (await session.execute(stmt)).scalar_one()
    if now - attempt.window_start > window:
        attempt.failures, attempt.window_start = 0, now
    return attempt
