"""Queries of the officials' web console: the filtered, searched list paged in SQL, the dashboard's
daily series, and one application's history. Repositories never commit.

Every query is ANDed with the caller's area condition (storage.officials.scope). Totals are counted up
to COUNT_CAP rows only (NAME_COUNT_CAP for a search by name): an exact count of a province's half million
rows costs far more than the page itself, and "more than 1,000" is all an official needs to know there
(they narrow the filters, or export the list).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.applications import note_of
from storage.crypto import DataProtector, fold_name
from storage.models import Application, Attachment, AuditLog, Payment, StatusEvent
from storage.report_figures import REVIEW_STATUSES, due_soon_parts, local_midnight, payment_overdue, review_overdue

COUNT_CAP = 1_000
NAME_COUNT_CAP = 200
PER_PAGE = 25
MAX_NAME_QUERY = 64


@dataclass(frozen=True)
class Search:
    """What the official typed, already recognised by the caller: a code, an ID number or phone (as
    blind-index hashes), or part of a name."""

    code: str | None = None
    id_hash: str | None = None
    phone_hash: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class ListFilter:
    status: str | None = None
    kind: str | None = None
    district: int | None = None  # a sub-area of the official's area
    commune: int | None = None
    submitted_from: date | None = None  # local dates, inclusive
    submitted_to: date | None = None
    overdue: bool = False
    due_within: int | None = None  # due within this many working days, not late yet (the overview's "due soon")
    search: Search | None = None


@dataclass(frozen=True)
class Page:
    items: list[Application]
    total: int  # up to COUNT_CAP
    capped: bool  # more than COUNT_CAP match
    page: int
    pages: int


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(flt: ListFilter, today: date, *, deadlines: bool = True) -> list[ColumnElement[bool]]:
    """The filter's conditions; without the deadline filters (overdue, due soon) when `deadlines` is false."""
    out: list[ColumnElement[bool]] = []
    if flt.status:
        out.append(Application.status == flt.status)
    if flt.kind:
        out.append(Application.kind == flt.kind)
    if flt.district is not None:
        out.append(Application.district_code == flt.district)
    if flt.commune is not None:
        out.append(Application.commune_code == flt.commune)
    if flt.submitted_from is not None:
        out.append(Application.submitted_at >= local_midnight(flt.submitted_from))
    if flt.submitted_to is not None:
        out.append(Application.submitted_at < local_midnight(flt.submitted_to + timedelta(days=1)))
    if flt.overdue and deadlines:
        out.append(or_(*overdue_parts(today)))
    if flt.due_within is not None and deadlines:
        out.append(or_(*due_soon_parts(today, flt.due_within)))
    search = flt.search
    if search is not None:
        if search.code:
            out.append(Application.code == search.code)
        elif search.id_hash or search.phone_hash:
            hashes = []
            if search.id_hash:
                hashes.append(Application.id_hash == search.id_hash)
            if search.phone_hash:
                hashes.append(Application.phone_hash == search.phone_hash)
            out.append(or_(*hashes))
        elif search.name:
            # Folded both sides: "nguyen van an", "NGUYỄN VĂN AN" and "Nguyễn Văn An" find the same people.
            pattern = f"%{_like_escape(fold_name(search.name)[:MAX_NAME_QUERY])}%"
            out.append(Application.name_key.like(pattern, escape="\\"))
    return out


def overdue_parts(today: date) -> list[ColumnElement[bool]]:
    """deadlines.overdue() as one condition per status (see _by_parts)."""
    review = review_overdue(today)
    return [and_(review, Application.status == status) for status in REVIEW_STATUSES] + [payment_overdue(today)]


def _deadline_parts(flt: ListFilter, today: date) -> list[ColumnElement[bool]]:
    """The deadline filter split by status; with both filters (an empty list), the overdue one is split and the
    due-soon one stays whole."""
    if flt.overdue:
        parts = overdue_parts(today)
        if flt.due_within is not None:
            soon = or_(*due_soon_parts(today, flt.due_within))
            parts = [and_(part, soon) for part in parts]
        return parts
    if flt.due_within is not None:
        return due_soon_parts(today, flt.due_within)
    return []


async def list_page(
    session: AsyncSession, area: ColumnElement[bool], flt: ListFilter, today: date, page: int, per_page: int = PER_PAGE
) -> Page:
    """One page, newest first, with the (capped) number of matches.

    One ordered query of at most cap + 1 ids gives both the count and the page's ids (a count and an
    OFFSET query would each walk the same index, or the same trigram posting lists, again); the page's
    rows are then loaded by primary key."""
    full_name = flt.search is not None and flt.search.name is not None and len(flt.search.name.split()) >= 2
    parts = [] if full_name else _deadline_parts(flt, today)
    where = and_(area, *conditions(flt, today, deadlines=not parts))
    cap = NAME_COUNT_CAP if flt.search is not None and flt.search.name else COUNT_CAP
    ids_stmt = select(Application.id).where(where)
    if full_name:
        # Several words (a full name): few rows match, found through the trigram index. Planned with the
        # ORDER BY … LIMIT, PostgreSQL would rather walk the area newest first and read it all (190 ms for
        # a province); a materialized set makes it find the matches first.
        matches = (
            ids_stmt.add_columns(Application.submitted_at)
            .cte("matches")
            .prefix_with("MATERIALIZED", dialect="postgresql")
        )
        ids_stmt = select(matches.c.id).order_by(matches.c.submitted_at.desc(), matches.c.id.desc())
    elif parts:
        # A deadline filter is an OR over statuses (awaiting review, approved): planned as one query, PostgreSQL
        # walks the area newest first and drops every row of another status (the admin's list read 26,000
        # rows for 1,001). One ordered, limited query per status walks its (area, status, submitted_at) index
        # range instead, and the outer query merges them.
        newest = [
            select(Application.id, Application.submitted_at)
            .where(where, part)
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(cap + 1)
            .subquery()
            for part in parts
        ]
        merged = union_all(*(select(sub.c.id, sub.c.submitted_at) for sub in newest)).subquery()
        ids_stmt = select(merged.c.id).order_by(merged.c.submitted_at.desc(), merged.c.id.desc())
    else:
        ids_stmt = ids_stmt.order_by(Application.submitted_at.desc(), Application.id.desc())
    ids = list((await session.execute(ids_stmt.limit(cap + 1))).scalars())
    capped = len(ids) > cap
    ids = ids[:cap]
    pages = max(1, -(-len(ids) // per_page))
    page = min(max(page, 1), pages)
    wanted = ids[(page - 1) * per_page : page * per_page]
    rows = {a.id: a for a in (await session.execute(select(Application).where(Application.id.in_(wanted)))).scalars()}
    return Page([rows[i] for i in wanted if i in rows], len(ids), capped, page, pages)


async def by_codes(session: AsyncSession, area: ColumnElement[bool], codes: Sequence[str]) -> list[Application]:
    """The applications of `codes` inside the area (others are silently absent), locked for a change."""
    if not codes:
        return []
    stmt = select(Application).where(area, Application.code.in_(list(codes))).order_by(Application.id)
    return list((await session.execute(stmt.with_for_update())).scalars())


async def in_area(session: AsyncSession, area: ColumnElement[bool], code: str) -> Application | None:
    stmt = select(Application).where(area, Application.code == code)
    return (await session.execute(stmt)).scalar_one_or_none()


@dataclass(frozen=True)
class DayFigures:
    day: date
    submitted: int
    decided: int  # approved (by decision date)


async def daily_series(
    session: AsyncSession, area: ColumnElement[bool], today: date, days: int = 14
) -> list[DayFigures]:
    """New applications (by local submission day) and approvals (by decision date) for the last `days`."""
    first = today - timedelta(days=days - 1)
    submitted: dict[date, int] = {}
    # One range scan per day keeps it to the (area, submitted_at) indexes on both databases.
    for n in range(days):
        day = first + timedelta(days=n)
        stmt = select(func.count()).where(
            area,
            Application.submitted_at >= local_midnight(day),
            Application.submitted_at < local_midnight(day + timedelta(days=1)),
        )
        submitted[day] = int((await session.execute(stmt)).scalar_one())
    decided_stmt = (
        select(Application.decision_date, func.count())
        .where(area, Application.decision_date >= first, Application.decision_date <= today)
        .group_by(Application.decision_date)
    )
    decided = {d: int(c) for d, c in await session.execute(decided_stmt) if d is not None}
    return [DayFigures(day, submitted[day], decided.get(day, 0)) for day in sorted(submitted)]


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    kind: str  # status | audit
    actor: str
    from_status: str | None
    to_status: str | None
    note: str | None


async def history(
    session: AsyncSession, application_id: int, protector: DataProtector, limit: int = 200
) -> list[HistoryEntry]:
    """The status changes (their notes opened with `protector`) and the audited views/exports of one
    application, newest first."""
    events = (
        await session.execute(
            select(StatusEvent).where(StatusEvent.application_id == application_id).order_by(StatusEvent.id.desc())
        )
    ).scalars()
    audits = (
        await session.execute(
            select(AuditLog).where(AuditLog.application_id == application_id).order_by(AuditLog.id.desc()).limit(limit)
        )
    ).scalars()
    out = [HistoryEntry(e.at, "status", e.actor, e.from_status, e.to_status, note_of(e, protector)) for e in events]
    out += [HistoryEntry(a.at, "audit", a.actor, None, None, a.action) for a in audits]
    out.sort(key=lambda e: e.at, reverse=True)
    return out[:limit]


async def attachments(session: AsyncSession, application_id: int) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.application_id == application_id).order_by(Attachment.id)
    return list((await session.execute(stmt)).scalars())


async def attachment(session: AsyncSession, application_id: int, attachment_id: int) -> Attachment | None:
    stmt = select(Attachment).where(Attachment.application_id == application_id, Attachment.id == attachment_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def payments(session: AsyncSession, application_id: int) -> list[Payment]:
    stmt = select(Payment).where(Payment.application_id == application_id).order_by(Payment.id)
    return list((await session.execute(stmt)).scalars())


def audit_lookup(session: AsyncSession, actor: str, detail: str, now: datetime) -> None:
    """A search of personal data (by code, ID number or phone): what kind and how many found, not the value."""
    session.add(AuditLog(actor=actor, action="lookup", detail=detail, at=now))
