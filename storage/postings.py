"""Public posting (niêm yết công khai) of the decisions and their lists, per commune. Repositories never commit.

A decision of an approving authority names applications of several communes; each commune posts its own
part, so a posting is kept per (commune, decision number). The 5-day deadline runs from the decision date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import ApplicationStatus
from storage.deadlines import POSTING_DAYS, posting_due
from storage.models import Application, AuditLog, DecisionPosting

POSTED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.PAID)  # the results a commune posts


@dataclass(frozen=True)
class DecisionGroup:
    """One decision's part for one commune: how many people, how much, and whether it was posted."""

    commune_code: int
    decision_number: str
    decision_date: date | None
    count: int
    amount: int
    posted_on: date | None
    first_application_id: int  # names the group in a button (a decision number is no button payload)

    @property
    def due(self) -> date | None:
        return posting_due(self.decision_date) if self.decision_date else None

    def overdue(self, today: date) -> bool:
        return self.posted_on is None and self.due is not None and today > self.due


def _decided(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(condition, Application.status.in_(POSTED_STATUSES), Application.decision_number.is_not(None))


def _period(date_from: date | None, date_to: date | None) -> list[ColumnElement[bool]]:
    where = []
    if date_from is not None:
        where.append(Application.decision_date >= date_from)
    if date_to is not None:
        where.append(Application.decision_date <= date_to)
    return where


async def decisions(
    session: AsyncSession,
    condition: ColumnElement[bool],
    *,
    decision_number: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int | None = None,
) -> list[DecisionGroup]:
    """The decisions with results in the area (`condition`, e.g. storage.officials.scope()), newest first."""
    where = [_decided(condition), *_period(date_from, date_to)]
    if decision_number is not None:
        where.append(Application.decision_number == decision_number)
    groups = (
        select(
            Application.commune_code,
            Application.decision_number,
            func.min(Application.decision_date).label("decision_date"),
            func.count().label("people"),
            func.coalesce(func.sum(Application.approved_amount), 0).label("amount"),
            func.min(Application.id).label("first_id"),
        )
        .where(*where)
        .group_by(Application.commune_code, Application.decision_number)
        .subquery()
    )
    stmt = (
        select(groups, DecisionPosting.posted_on)
        .outerjoin(
            DecisionPosting,
            and_(
                DecisionPosting.commune_code == groups.c.commune_code,
                DecisionPosting.decision_number == groups.c.decision_number,
            ),
        )
        .order_by(groups.c.decision_date.desc(), groups.c.decision_number, groups.c.commune_code)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        DecisionGroup(
            row.commune_code,
            row.decision_number,
            row.decision_date,
            int(row.people),
            int(row.amount),
            row.posted_on,
            row.first_id,
        )
        for row in await session.execute(stmt)
    ]


async def applications(
    session: AsyncSession, commune_code: int, decision_numbers: Sequence[str]
) -> Sequence[Application]:
    """The applications on a commune's posting list for these decisions, in the order of the list."""
    stmt = (
        select(Application)
        .where(
            _decided(Application.commune_code == commune_code),
            Application.decision_number.in_(list(decision_numbers)),
        )
        .order_by(Application.decision_date, Application.decision_number, Application.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def posting_for(session: AsyncSession, commune_code: int, decision_number: str) -> DecisionPosting | None:
    stmt = select(DecisionPosting).where(
        DecisionPosting.commune_code == commune_code, DecisionPosting.decision_number == decision_number
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def posted_decisions(session: AsyncSession, commune_code: int) -> list[str]:
    stmt = (
        select(DecisionPosting.decision_number)
        .where(DecisionPosting.commune_code == commune_code)
        .order_by(DecisionPosting.decision_date, DecisionPosting.id)
    )
    return list((await session.execute(stmt)).scalars())


async def record(
    session: AsyncSession,
    *,
    commune_code: int,
    decision_number: str,
    decision_date: date | None,
    posted_on: date,
    actor: str,
    now: datetime,
) -> DecisionPosting:
    """Record (or correct) the day a commune posted a decision's list."""
    posting = await posting_for(session, commune_code, decision_number)
    if posting is None:
        posting = DecisionPosting(commune_code=commune_code, decision_number=decision_number)
        session.add(posting)
    posting.decision_date, posting.posted_on = decision_date, posted_on
    posting.recorded_by, posting.recorded_at = actor, now
    await session.flush()
    return posting


def _late_groups(condition: ColumnElement[bool], today: date) -> ColumnElement[bool]:
    """Decided before today - 5 days: today is past the posting deadline (deadlines.posting_due)."""
    return and_(_decided(condition), Application.decision_date < today - timedelta(days=POSTING_DAYS))


async def overdue_count(session: AsyncSession, condition: ColumnElement[bool], today: date) -> int:
    """Decisions (per commune) past the 5-day posting deadline with no posting recorded."""
    groups = (
        select(Application.commune_code, Application.decision_number)
        .where(_late_groups(condition, today))
        .group_by(Application.commune_code, Application.decision_number)
        .subquery()
    )
    stmt = (
        select(func.count())
        .select_from(groups)
        .outerjoin(
            DecisionPosting,
            and_(
                DecisionPosting.commune_code == groups.c.commune_code,
                DecisionPosting.decision_number == groups.c.decision_number,
            ),
        )
        .where(DecisionPosting.id.is_(None))
    )
    return int((await session.execute(stmt)).scalar_one())


def audit_view(session: AsyncSession, actor: str, commune_code: int, decision_number: str, now: datetime) -> None:
    """An official or monitor saw one decision's masked list for one commune."""
    session.add(AuditLog(actor=actor, action="view", detail=f"posting {commune_code} {decision_number}", at=now))
