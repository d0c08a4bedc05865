"""The outbox: replies and notices written in a turn's transaction and sent after commit.

A sender claims rows (queued -> sending) before sending, so two senders never send the
same row; a row left 'sending' by a crashed process is reclaimed after a lease, which
allows at most one repeat per crash and never a loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import SendStatus
from storage.crypto import DataProtector
from storage.models import OutboxMessage
from storage.sql import claim_rows, dialect_of

LEASE = timedelta(seconds=60)
OUTBOX = cast(Table, OutboxMessage.__table__)  # declared as FromClause; a declarative model maps a Table
# Payloads are sealed at rest: a reply can show an official a citizen's ID and account numbers.
PAYLOAD_CONTEXT = "outbox.payload"


def payload_of(row: OutboxMessage, protector: DataProtector) -> dict[str, Any]:
    """A row's payload in clear ({"text", "buttons"})."""
    return protector.open_json(row.payload, context=PAYLOAD_CONTEXT)  # type: ignore[no-any-return]


async def enqueue(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    now: datetime,
    protector: DataProtector,
    claimed: bool = False,
) -> OutboxMessage:
    """Queue a message; `claimed` writes it already claimed by the caller, who sends it after commit
    (if the caller dies first, the lease hands it to another sender)."""
    row = OutboxMessage(
        channel=channel,
        chat_id=chat_id,
        payload=protector.seal_json(payload, context=PAYLOAD_CONTEXT),
        status=SendStatus.SENDING if claimed else SendStatus.QUEUED,
        attempts=1 if claimed else 0,
        next_attempt_at=now,
        claimed_at=now if claimed else None,
        created_at=now,
    )
    session.add(row)
    return row


async def enqueue_many(
    session: AsyncSession,
    messages: Sequence[tuple[str, str, dict[str, Any], bool]],
    now: datetime,
    protector: DataProtector,
) -> list[OutboxMessage]:
    """Queue (channel, chat_id, payload, claimed) messages with one INSERT, as `enqueue` does one.

    Returns detached rows carrying their ids and payloads in clear, for the sender (which then
    decrypts nothing); the session does not track them."""
    if not messages:
        return []
    values = [
        {
            "channel": channel,
            "chat_id": chat_id,
            "payload": protector.seal_json(payload, context=PAYLOAD_CONTEXT),
            "status": SendStatus.SENDING if claimed else SendStatus.QUEUED,
            "attempts": 1 if claimed else 0,
            "next_attempt_at": now,
            "claimed_at": now if claimed else None,
            "created_at": now,
        }
        for channel, chat_id, payload, claimed in messages
    ]
    stmt = insert(OUTBOX).returning(OUTBOX.c.id, sort_by_parameter_order=True)
    ids = (await session.execute(stmt, values)).scalars().all()
    return [
        OutboxMessage(id=row_id, **{**row, "payload": message[2]})
        for row_id, row, message in zip(ids, values, messages, strict=True)
    ]


async def claim(
    session: AsyncSession,
    now: datetime,
    *,
    ids: Sequence[int] | None = None,
    channel: str | None = None,
    chat_id: str | None = None,
    limit: int = 100,
    lease: timedelta = LEASE,
) -> list[OutboxMessage]:
    """Claim due rows (or the given ids) for sending, oldest first."""
    due = or_(
        and_(OutboxMessage.status == SendStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == SendStatus.SENDING, OutboxMessage.claimed_at < now - lease),
    )
    stmt = select(OutboxMessage.id).where(due)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(list(ids)))
    if channel is not None:
        stmt = stmt.where(OutboxMessage.channel == channel)
    if chat_id is not None:
        stmt = stmt.where(OutboxMessage.chat_id == chat_id)
    stmt = stmt.order_by(OutboxMessage.id).limit(limit)
    return await claim_rows(session, OutboxMessage, stmt, now, order_by=(OutboxMessage.id,))


async def mark_sent(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    # On the table, not the mapped class: the ORM's bulk UPDATE would also look for the rows among the
    # session's objects, which costs as much as the statement (the sender's sessions hold none).
    if ids:
        await session.execute(
            update(OUTBOX).where(OUTBOX.c.id.in_(list(ids))).values(status=SendStatus.SENT, sent_at=now)
        )


async def renew(session: AsyncSession, rows: Sequence[OutboxMessage], now: datetime) -> set[int]:
    """Extend the lease of claimed rows that are still this claimer's: 'sending' under the claim time the
    row carries. A row whose lease ran out and that another sender claimed since has a newer claim time and
    is left alone (it is theirs now). Returns the ids renewed."""
    by_claim: dict[datetime, list[int]] = {}
    for row in rows:
        if row.claimed_at is not None:
            by_claim.setdefault(row.claimed_at, []).append(row.id)
    kept: set[int] = set()
    for claimed_at, ids in by_claim.items():
        result = await session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids), OUTBOX.c.status == SendStatus.SENDING, OUTBOX.c.claimed_at == claimed_at)
            .values(claimed_at=now)
            .returning(OUTBOX.c.id)
        )
        kept.update(result.scalars())
    return kept


async def mark_retry(session: AsyncSession, ids: Sequence[int], when: datetime, error: str) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(status=SendStatus.QUEUED, next_attempt_at=when, claimed_at=None, error=error[:500])
        )


async def mark_postponed(session: AsyncSession, ids: Sequence[int], when: datetime, reason: str) -> None:
    """Claimed but never tried (the channel is paused): back to the queue, giving the attempt back."""
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(
                status=SendStatus.QUEUED,
                next_attempt_at=when,
                claimed_at=None,
                error=reason[:500],
                attempts=func.greatest(OutboxMessage.attempts - 1, 0)
                if dialect_of(session) == "postgresql"
                else func.max(OutboxMessage.attempts - 1, 0),
            )
        )


async def mark_failed(session: AsyncSession, ids: Sequence[int], error: str) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(status=SendStatus.FAILED, error=error[:500])
        )


async def mark_held(session: AsyncSession, ids: Sequence[int], reason: str) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(list(ids)))
            .values(status=SendStatus.HELD, claimed_at=None, error=reason[:500])
        )


async def release_held(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> None:
    """The user wrote again: what waited for them may be sent now."""
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id, OutboxMessage.status == SendStatus.HELD
        )
        .values(status=SendStatus.QUEUED, next_attempt_at=now)
    )


async def held_payloads(
    session: AsyncSession, channel: str, chat_id: str, protector: DataProtector
) -> list[tuple[int, Any]]:
    """(id, payload in clear) of the messages held for one chat."""
    held = await session.execute(
        select(OutboxMessage.id, OutboxMessage.payload).where(
            OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id, OutboxMessage.status == SendStatus.HELD
        )
    )
    return [(row_id, protector.open_json(payload, context=PAYLOAD_CONTEXT)) for row_id, payload in held.all()]


async def held_by_chat(session: AsyncSession, channel: str) -> dict[str, tuple[int, str]]:
    """Held messages of `channel` by chat: how many, and why the latest one waits."""
    from sqlalchemy import func

    stmt = (
        select(OutboxMessage.chat_id, func.count(), func.max(OutboxMessage.error))
        .where(OutboxMessage.channel == channel, OutboxMessage.status == SendStatus.HELD)
        .group_by(OutboxMessage.chat_id)
    )
    return {chat_id: (int(count), reason or "") for chat_id, count, reason in (await session.execute(stmt)).all()}


async def pending_count(session: AsyncSession) -> int:
    from sqlalchemy import func

    stmt = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status.in_([SendStatus.QUEUED, SendStatus.SENDING, SendStatus.HELD]))
    )
    return int((await session.execute(stmt)).scalar_one())
