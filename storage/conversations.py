"""Per-turn storage: event claims, channel users and the locked conversation row.

Repositories never commit: the engine commits once per turn. A turn's storage work is three
statements in the common case (a returning user): claim the event, open the turn (user, locked
conversation and waiting-message flags in one SELECT), and write the conversation back.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import BindParameter, Select, Table, and_, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from messages.vocabulary import ChatUserStatus, SendStatus
from storage import outbox
from storage.crypto import DataProtector
from storage.models import ChannelUser, Conversation, OutboxMessage, ProcessedEvent
from storage.sql import conflict_insert, dialect_of, insert_ignore

INBOUND_PRECISION = timedelta(minutes=1)
CONVERSATIONS = cast(Table, Conversation.__table__)  # declared as FromClause; a declarative model maps a Table
DATA_CONTEXT = "conversation.data"


# The statements every turn runs are built once: building one costs about as much as running it.
@functools.cache
def _claim_statement(dialect: str) -> Insert:
    table = ProcessedEvent.__table__
    claim = conflict_insert(dialect, table).on_conflict_do_nothing(index_elements=["channel", "event_id"])
    return claim.returning(table.c.event_id)


async def claim_event(session: AsyncSession, channel: str, event_id: str, now: datetime) -> bool:
    """True if this event is new. A concurrent claimer of the same id waits on the unique key
    and then sees the conflict, so each event is handled once across processes."""
    stmt = _claim_statement(dialect_of(session))
    params = {"channel": channel, "event_id": event_id, "processed_at": now}
    return (await session.execute(stmt, params)).first() is not None


@functools.cache
def _open_statement(with_unmarked: bool) -> Select[Any]:
    channel: BindParameter[str] = bindparam("channel")
    chat_id: BindParameter[str] = bindparam("chat_id")
    waiting = and_(OutboxMessage.channel == channel, OutboxMessage.chat_id == chat_id)
    pending = select(OutboxMessage.id).where(waiting, OutboxMessage.status.in_([SendStatus.QUEUED, SendStatus.SENDING]))
    if with_unmarked:  # a variant, since an expanding IN is re-rendered on every execution
        pending = pending.where(OutboxMessage.id.not_in(bindparam("unmarked", expanding=True)))
    held = select(OutboxMessage.id).where(waiting, OutboxMessage.status == SendStatus.HELD)
    c = CONVERSATIONS.c
    return (
        select(
            ChannelUser,
            c.id,
            c.state,
            c.data,
            c.keyboard,
            c.version,
            c.updated_at,
            exists(pending).label("pending"),
            exists(held).label("held"),  # not vocabulary: a column label
        )
        .select_from(CONVERSATIONS)
        .join(ChannelUser, and_(ChannelUser.channel == c.channel, ChannelUser.user_id == bindparam("user_id")))
        .where(c.channel == channel, c.chat_id == chat_id)
        .with_for_update(of=CONVERSATIONS)
    )


@dataclass
class ConversationRow:
    """The locked conversation as plain data; the engine writes it back with one UPDATE."""

    id: int
    state: str
    data: dict[str, Any]
    keyboard: list[Any]
    version: int
    updated_at: datetime


@dataclass
class TurnStart:
    user: ChannelUser
    conversation: ConversationRow
    backlog: bool  # older messages still wait for this chat: the turn's replies queue behind them


async def open_turn(
    session: AsyncSession,
    channel: str,
    user_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
    sent_unmarked: Collection[int] = (),
    *,
    protector: DataProtector,
) -> TurnStart:
    """The user, the chat's conversation under a row lock (FOR UPDATE on PostgreSQL; SQLite's
    BEGIN IMMEDIATE already holds the write lock) and whether messages wait, creating what is
    missing. `sent_unmarked` are this chat's rows already sent whose 'sent' mark is still batched."""
    stmt = _open_statement(bool(sent_unmarked))
    params: dict[str, Any] = {"channel": channel, "user_id": user_id, "chat_id": chat_id}
    if sent_unmarked:
        params["unmarked"] = list(sent_unmarked)
    row = (await session.execute(stmt, params)).first()
    if row is None:  # a new user or chat: create them, then the same SELECT
        await _create_missing(session, channel, user_id, chat_id, display_name, now)
        row = (await session.execute(stmt, params)).one()
    user = row[0]
    _refresh_user(user, chat_id, display_name, now)
    if row.held:  # the user wrote, so what waited for them may be sent now
        await outbox.release_held(session, channel, chat_id, now)
    data = protector.open_json(row.data, context=DATA_CONTEXT) if row.data else {}
    conversation = ConversationRow(row.id, row.state, data, row.keyboard or [], row.version, row.updated_at)
    return TurnStart(user, conversation, backlog=bool(row.pending or row.held))


def seal_data(protector: DataProtector, data: dict[str, Any]) -> dict[str, Any]:
    """The conversation data as stored: sealed as a whole (a form's answers hold ID and account numbers,
    phone, birth date, address), so no field can be missed; sealing ~1 kB costs about 20 µs."""
    return protector.seal_json(data, context=DATA_CONTEXT) if data else {}


_SAVE = update(CONVERSATIONS).where(CONVERSATIONS.c.id == bindparam("conversation_id"))


async def save_conversation(session: AsyncSession, conversation: ConversationRow, protector: DataProtector) -> None:
    values = {
        "conversation_id": conversation.id,
        "state": conversation.state,
        "data": seal_data(protector, conversation.data),
        "keyboard": conversation.keyboard,
        "version": conversation.version,
        "updated_at": conversation.updated_at,
    }
    await session.execute(_SAVE, values)


async def mark_blocked(session: AsyncSession, channel: str, chat_id: str) -> None:
    """The platform refused a message: the user blocked the bot. One who had opted out of announcements
    stays opted out (they become active again only by /batthongbao, not by unblocking and writing)."""
    await session.execute(
        update(ChannelUser)
        .where(
            ChannelUser.channel == channel, ChannelUser.chat_id == chat_id, ChannelUser.status != ChatUserStatus.STOPPED
        )
        .values(status=ChatUserStatus.BLOCKED)
    )


async def mark_unblocked(session: AsyncSession, channel: str, chat_id: str) -> None:
    """The platform says the user unblocked the bot (Telegram my_chat_member): reachable again."""
    await session.execute(
        update(ChannelUser)
        .where(
            ChannelUser.channel == channel, ChannelUser.chat_id == chat_id, ChannelUser.status == ChatUserStatus.BLOCKED
        )
        .values(status=ChatUserStatus.ACTIVE)
    )


def _refresh_user(user: ChannelUser, chat_id: str, display_name: str | None, now: datetime) -> None:
    # Assign only what changed: an unchanged row costs no UPDATE (most turns). last_inbound_at
    # (Zalo's 48-hour window) is kept to the minute, which is precise enough for a 48-hour window.
    changes: dict[str, Any] = {"chat_id": chat_id, "window_replies": 0}
    if display_name:
        changes["display_name"] = display_name[:128]
    if user.status == ChatUserStatus.BLOCKED:  # they wrote to us, so they unblocked the bot
        changes["status"] = ChatUserStatus.ACTIVE
    if user.last_inbound_at is None or now - user.last_inbound_at >= INBOUND_PRECISION:
        changes["last_inbound_at"] = now
    for name, value in changes.items():
        if getattr(user, name) != value:
            setattr(user, name, value)


async def _create_missing(
    session: AsyncSession, channel: str, user_id: str, chat_id: str, display_name: str | None, now: datetime
) -> None:
    await session.execute(
        insert_ignore(
            session,
            ChannelUser,
            {
                "channel": channel,
                "user_id": user_id,
                "chat_id": chat_id,
                "display_name": display_name[:128] if display_name else None,
                "language": "vi",
                "status": ChatUserStatus.ACTIVE,
                "created_at": now,
            },
            ["channel", "user_id"],
        )
    )
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


async def show_keyboard(session: AsyncSession, channel: str, chat_id: str, keyboard: list[Any]) -> None:
    """A notice with buttons went to this chat: '#N' and typed labels now refer to its keyboard.

    The row is skipped when another turn holds it (SKIP LOCKED) rather than waited for: two turns
    notifying each other's chats would otherwise deadlock, and that chat's own turn writes its
    keyboard anyway. SQLite has one writer at a time, so nothing is locked there."""
    c = CONVERSATIONS.c
    target = (
        select(c.id).where(c.channel == channel, c.chat_id == chat_id).with_for_update(skip_locked=True)
    ).scalar_subquery()
    await session.execute(update(CONVERSATIONS).where(c.id == target).values(keyboard=keyboard))


async def has_conversation(session: AsyncSession, channel: str, chat_id: str) -> bool:
    stmt = select(Conversation.id).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
    return (await session.execute(stmt)).first() is not None


async def take_reply_slots(
    session: AsyncSession, channel: str, chat_id: str, count: int, since: datetime, most: int
) -> bool:
    """Reserve `count` replies in a user's reply window (inbound since `since`, at most `most` replies)."""
    taken = await session.execute(
        update(ChannelUser)
        .where(
            ChannelUser.channel == channel,
            ChannelUser.chat_id == chat_id,
            ChannelUser.last_inbound_at >= since,
            ChannelUser.window_replies + count <= most,
        )
        .values(window_replies=ChannelUser.window_replies + count)
        .returning(ChannelUser.window_replies)
        .execution_options(synchronize_session=False)
    )
    return taken.first() is not None


async def give_back_reply_slots(session: AsyncSession, channel: str, chat_id: str, count: int) -> None:
    await session.execute(
        update(ChannelUser)
        .where(ChannelUser.channel == channel, ChannelUser.chat_id == chat_id, ChannelUser.window_replies >= count)
        .values(window_replies=ChannelUser.window_replies - count)
        .execution_options(synchronize_session=False)
    )
