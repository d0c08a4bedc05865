"""Private chats only: a group must never see a citizen's data or an official's lists.

The conversation belongs to a chat, so in a group every member would share one form, see the answers
and could withdraw another member's application; an official's /canbo would post personal data to all.
So a Telegram update from a group, supergroup or channel never reaches the engine: the group gets, at most
once, a short note asking to write to the bot privately, and nothing about it is stored but that the note
was sent (a kv_store marker, no conversation, no user). Commands addressed to another bot
(`/start@OtherBot`) are ignored everywhere. Zalo OA chats are always 1:1 between the OA and one follower,
and the console is one person, so this gate is Telegram's alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HoTro
from handlers.turn import Reply
from messages.i18n import _
from storage import keyvalues, outbox
from storage.conversations import claim_event


class Audience(Enum):
    PRIVATE = "private"  # handled as usual
    GROUP = "group"  # a group, supergroup or channel talking to us: the note, once
    IGNORE = "ignore"  # not for us (another bot's command), or nothing to answer


def addressed_elsewhere(text: str | None, username: str | None) -> bool:
    """`/cmd@OtherBot …`: a command for another bot in the same chat (Bot API: commands in groups)."""
    if not text or not text.startswith("/") or username is None:
        return False
    first = text.split(maxsplit=1)[0]
    _command, at, target = first.partition("@")
    return bool(at) and target.casefold() != username.casefold()


def audience(chat_type: str | None, text: str | None, username: str | None) -> Audience:
    if chat_type is None:
        return Audience.IGNORE
    if addressed_elsewhere(text, username):
        return Audience.IGNORE
    return Audience.PRIVATE if chat_type == "private" else Audience.GROUP


def note_text(username: str | None) -> str:
    where = f"https://t.me/{username}" if username else _("the bot's profile")
    return _(
        "To protect your personal data, HoTro only talks in private chats and does not answer in groups. "
        "Please write to the bot directly: {where}"
    ).format(where=where)


async def _first_note(session: AsyncSession, channel: str, chat_id: str, now: datetime) -> bool:
    marker = "sent"  # not vocabulary: a marker value
    return await keyvalues.put_once(session, f"private-only-note:{channel}:{chat_id}", marker, now)


async def note_once(app: HoTro, channel: str, chat_id: str, event_id: str, username: str | None) -> None:
    """The group's note, the first time it writes to us (across processes and restarts), else nothing."""
    now = datetime.now(UTC)
    async with app.sessions.begin() as session:
        if not await claim_event(session, channel, event_id, now) or not await _first_note(
            session, channel, chat_id, now
        ):
            return
        rows = await outbox.enqueue_many(
            session, [(channel, chat_id, Reply(note_text(username)).to_payload(), True)], now, app.protector
        )
    await app.sender.send_claimed(rows)
