"""Complaints and feedback (phản ánh, kiến nghị) and their threads. Repositories never commit.

Every text (the complaint, the answers, the citizen's reply) is encrypted with the data key, context
"complaint"; the rows in clear say only what, where, when and by whom.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import OPEN_COMPLAINT_STATUSES, ComplaintStatus
from storage.crypto import DataProtector
from storage.models import AuditLog, Complaint, ComplaintMessage

CONTEXT = "complaint"
# Thread entries.
TEXT, ACKNOWLEDGED, ANSWER, REPLY = "text", "acknowledged", "answer", "reply"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Entry:
    kind: str
    author: str
    body: str | None
    attachments: list[Any]
    at: datetime


@dataclass
class ComplaintCounts:
    open: int = 0
    overdue_ack: int = 0  # not acknowledged in time
    overdue_answer: int = 0  # not answered in time


async def add(
    session: AsyncSession,
    complaint: Complaint,
    text: str,
    attachments: list[dict[str, Any]],
    protector: DataProtector,
) -> Complaint:
    session.add(complaint)
    await session.flush()
    await add_entry(session, complaint, TEXT, CITIZEN, text, protector, complaint.created_at, attachments)
    return complaint


async def add_entry(
    session: AsyncSession,
    complaint: Complaint,
    kind: str,
    author: str,
    body: str | None,
    protector: DataProtector,
    now: datetime,
    attachments: list[dict[str, Any]] | None = None,
) -> None:
    session.add(
        ComplaintMessage(
            complaint_id=complaint.id,
            kind=kind,
            author=author,
            body_enc=protector.encrypt(body, context=CONTEXT) if body else None,
            attachments=attachments or [],
            at=now,
        )
    )
    complaint.updated_at = now
    await session.flush()


def audit_view(session: AsyncSession, actor: str, complaint: Complaint, now: datetime) -> None:
    """An official or monitor opened a complaint (in the chat or the web console)."""
    session.add(
        AuditLog(
            actor=actor,
            action="view",
            application_id=complaint.application_id,
            detail=f"complaint {complaint.code}",
            at=now,
        )
    )


async def thread(session: AsyncSession, complaint: Complaint, protector: DataProtector) -> list[Entry]:
    rows = (
        await session.execute(
            select(ComplaintMessage).where(ComplaintMessage.complaint_id == complaint.id).order_by(ComplaintMessage.id)
        )
    ).scalars()
    return [
        Entry(
            row.kind,
            row.author,
            protector.decrypt(row.body_enc, context=CONTEXT) if row.body_enc else None,
            list(row.attachments or []),
            row.at,
        )
        for row in rows
    ]


async def by_code(session: AsyncSession, code: str) -> Complaint | None:
    return (await session.execute(select(Complaint).where(Complaint.code == code))).scalar_one_or_none()


async def code_exists(session: AsyncSession, code: str) -> bool:
    return await by_code(session, code) is not None


async def for_chat(session: AsyncSession, channel: str, chat_id: str, limit: int = 5) -> Sequence[Complaint]:
    stmt = (
        select(Complaint)
        .where(Complaint.channel == channel, Complaint.chat_id == chat_id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


def ack_overdue(today: date) -> ColumnElement[bool]:
    return and_(Complaint.status == ComplaintStatus.NEW, Complaint.ack_due < today)


def answer_overdue(today: date) -> ColumnElement[bool]:
    return and_(Complaint.status.in_(OPEN_COMPLAINT_STATUSES), Complaint.answer_due < today)


async def listed(
    session: AsyncSession,
    condition: ColumnElement[bool],
    *,
    open_only: bool,
    offset: int,
    limit: int,
    status: str | None = None,
) -> tuple[int, Sequence[Complaint]]:
    """(total, one page) of the complaints matching `condition` (storage.officials.complaint_scope()), of one
    status if given, the most urgent first."""
    where = [condition]
    if status is not None:
        where.append(Complaint.status == status)
    if open_only:
        where.append(Complaint.status.in_(OPEN_COMPLAINT_STATUSES))
    total = (await session.execute(select(func.count()).select_from(Complaint).where(*where))).scalar_one()
    stmt = select(Complaint).where(*where).order_by(Complaint.answer_due, Complaint.id).offset(offset).limit(limit)
    return int(total), (await session.execute(stmt)).scalars().all()


async def counts(session: AsyncSession, condition: ColumnElement[bool], today: date) -> ComplaintCounts:
    """Open complaints and those past their deadlines, in one aggregate."""

    def _sum(when: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((when, 1), else_=0)), 0)

    stmt = select(
        _sum(Complaint.status.in_(OPEN_COMPLAINT_STATUSES)), _sum(ack_overdue(today)), _sum(answer_overdue(today))
    ).where(condition)
    open_, late_ack, late_answer = (await session.execute(stmt)).one()
    return ComplaintCounts(int(open_), int(late_ack), int(late_answer))
