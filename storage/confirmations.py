"""Payment confirmations: which payments are due for "have you received it?", the claim, the answer.

Several processes run the asking worker. Each payment is asked once: the worker claims it with a
conditional UPDATE (confirm_asked_at IS NULL -> now) in the same transaction that queues the question
in the outbox, as bot/reports.py claims a day in job_runs. Exactly one UPDATE changes the row, and a
crash before the commit leaves it unclaimed and nothing queued, so the next round asks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import ApplicationStatus, PaymentConfirmation
from storage.models import Application, Payment


async def due(session: AsyncSession, recorded_before: datetime, recorded_after: datetime, limit: int) -> list[int]:
    """Ids of payments recorded in [recorded_after, recorded_before] whose citizen has not been asked yet.

    Payments recorded before the window (e.g. all of them when the feature is switched on) are never asked:
    after months a "have you received it?" helps no one."""
    stmt = (
        select(Payment.id)
        .join(Application, Application.id == Payment.application_id)
        .where(
            Payment.confirm_asked_at.is_(None),
            Payment.recorded_at <= recorded_before,
            Payment.recorded_at >= recorded_after,
            Application.status == ApplicationStatus.PAID,
        )
        .order_by(Payment.recorded_at, Payment.id)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def claim(session: AsyncSession, payment_id: int, now: datetime) -> bool:
    """True when this transaction took the payment's question (no other process has)."""
    result = await session.execute(
        update(Payment).where(Payment.id == payment_id, Payment.confirm_asked_at.is_(None)).values(confirm_asked_at=now)
    )
    rowcount: int = result.rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    return rowcount == 1


async def record_answer(session: AsyncSession, payment_id: int, answer: PaymentConfirmation, now: datetime) -> bool:
    """Record the citizen's first answer; False when the payment was already answered (a second press)."""
    result = await session.execute(
        update(Payment)
        .where(Payment.id == payment_id, Payment.confirmation.is_(None))
        .values(confirmation=answer, confirmed_at=now)
    )
    rowcount: int = result.rowcount  # type: ignore[attr-defined]
    return rowcount == 1


async def with_application(session: AsyncSession, payment_id: int) -> tuple[Payment, Application] | None:
    row = (
        await session.execute(
            select(Payment, Application)
            .join(Application, Application.id == Payment.application_id)
            .where(Payment.id == payment_id)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def answers_of(session: AsyncSession, application_id: int) -> Sequence[Payment]:
    stmt = select(Payment).where(Payment.application_id == application_id).order_by(Payment.id)
    return (await session.execute(stmt)).scalars().all()
