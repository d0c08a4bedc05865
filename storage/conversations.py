"""Per-turn storage: event claims, channel users and the locked conversation row.

Repositories never commit: the engine commits once per turn.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChannelUser, Conversation, ProcessedEvent
from storage.sql import insert_ignore

INBOUND_PRECISION = timedelta(minutes=1)


async def claim_event(session: AsyncSession, channel: str, event_id: str, now: datetime) -> bool:
    """True if this event is new. A concurrent claimer of the same id waits on the unique key
    and then sees the conflict, so each event is handled once across processes."""
    stmt = insert_ignore(
        session,
        ProcessedEvent,
        {"channel": channel, "event_id": event_id, "processed_at": now},
        ["channel", "event_id"],
    ).returning(ProcessedEvent.event_id)
    return (await session.execute(stmt)).first() is not None


async def upsert_user(
    session: AsyncSession, channel: str, user_id: str, chat_id: str, display_name: str | None, now: datetime
) -> ChannelUser:
    # Look up first: the user almost always exists, and that saves a round trip per turn.
    find = select(ChannelUser).where(ChannelUser.channel == channel, ChannelUser.user_id == user_id)
    user = (await session.execute(find)).scalar_one_or_none()
    if user is None:
        await session.execute(
            insert_ignore(
                session,
                ChannelUser,
                {
                    "channel": channel,
                    "user_id": user_id,
                    "chat_id": chat_id,
                    "display_name": display_name,
                    "language": "vi",
                    "status": "active",
                    "created_at": now,
                },
                ["channel", "user_id"],
            )
        )
        user = (await session.execute(find)).scalar_one()
    # Assign only what changed: an unchanged row costs no UPDATE (most turns). last_inbound_at
    # (Zalo's 48-hour window) is kept to the minute, which is precise enough for a 48-hour window.
    changes: dict[str, Any] = {"chat_id": chat_id, "window_replies": 0}
    if display_name:
        changes["display_name"] = display_name[:128]
    if user.status == "blocked":  # they wrote to us, so they unblocked the bot
        changes["status"] = "active"
    if user.last_inbound_at is None or now - user.last_inbound_at >= INBOUND_PRECISION:
        changes["last_inbound_at"] = now
    for name, value in changes.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
    return user


async def lock_conversation(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> Conversation:
    """Load the chat's conversation row, creating it, under a row lock (FOR UPDATE on PostgreSQL;
    SQLite's BEGIN IMMEDIATE already holds the database write lock)."""
    find = (
        select(Conversation)
        .where(Conversation.channel == channel, Conversation.chat_id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    conversation = (await session.execute(find)).scalar_one_or_none()
    if conversation is not None:
        return conversation
    await session.execute(
        insert_ignore(
            session,
            Conversation,
            {
                "channel": channel,
                "chat_id": chat_id,
                "state": "start",
                "data": {},
                "keyboard": [],
                "version": 0,
                "updated_at": now,
            },
            ["channel", "chat_id"],
        )
    )
    return (await session.execute(find)).scalar_one()
