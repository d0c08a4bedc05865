"""Retention: what is kept only as long as it is needed (README, "Personal data").

A form left unfinished keeps its answers (ID and account numbers, birth date, phone) in the conversation;
after the configured period they are erased and the chat starts again from the menu. A message's row
(its text may show an official a citizen's data) is deleted once it has been sent, or has failed, for the
configured period: delivery and the audit need only what `audit_log` and `status_events` keep.
Expired look-up failure counters go too. Repositories never commit: the caller does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import SendStatus
from storage.models import Conversation, LookupAttempt, LookupCodeAttempt, OutboxMessage

FINISHED = (SendStatus.SENT, SendStatus.FAILED)


@dataclass
class Purged:
    forms: int = 0
    messages: int = 0


async def purge(
    session: AsyncSession,
    now: datetime,
    *,
    abandoned_after: timedelta,
    delivered_after: timedelta,
    lookup_window: timedelta,
) -> Purged:
    # A chat that is not idle (start, menu) is in a form or another step, left half-way this long.
    forms = await session.execute(
        update(Conversation)
        .where(Conversation.updated_at < now - abandoned_after, Conversation.state.not_in(["start", "menu"]))
        .values(state="menu", data={}, keyboard=[], version=Conversation.version + 1, updated_at=now)
    )
    messages = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(FINISHED),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < now - delivered_after,
        )
    )
    await session.execute(delete(LookupAttempt).where(LookupAttempt.window_start < now - lookup_window))
    await session.execute(delete(LookupCodeAttempt).where(LookupCodeAttempt.window_start < now - lookup_window))
    return Purged(forms=forms.rowcount, messages=messages.rowcount)  # type: ignore[attr-defined]
