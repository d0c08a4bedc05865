"""The limit on guessing codes, shared by the application look-up (handlers.lookup) and the complaint look-up
(handlers.complaints): a code is a key (an anonymous report's only one), so a chat that keeps failing is
stopped for a while. Failures are counted per chat, and per application code across chats (storage.lookups)."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.turn import Turn
from messages.i18n import _
from storage import lookups
from storage.models import LookupAttempt, LookupCodeAttempt

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)


async def chat_failures(turn: Turn) -> LookupAttempt:
    """This chat's failed look-ups in the current window, locked for the turn (one count for both look-ups:
    the same chat guessing)."""
    return await lookups.chat_failures(
        turn.session, turn.incoming.channel, turn.incoming.chat_id, turn.now, FAILURE_WINDOW
    )


async def code_failures(turn: Turn, code: str) -> LookupCodeAttempt:
    """The code's failures from every chat: a new chat (or group) gets no fresh guesses."""
    return await lookups.code_failures(turn.session, code, turn.now, FAILURE_WINDOW)


def too_many(now: datetime, *counts: LookupAttempt | LookupCodeAttempt | None) -> str | None:
    """The message for a look-up refused because one of `counts` reached the limit (the last such one names
    the wait), else None."""
    blocked = [count for count in counts if count is not None and count.failures >= MAX_FAILURES]
    if not blocked:
        return None
    wait = blocked[-1].window_start + FAILURE_WINDOW - now
    minutes = max(1, int(wait.total_seconds() // 60) + 1)
    return _("Too many wrong attempts. Please try again in {minutes} minutes.").format(minutes=minutes)


def left(*counts: LookupAttempt | LookupCodeAttempt) -> int:
    """Attempts left before the limit."""
    return MAX_FAILURES - max(count.failures for count in counts)
