"""The worker that asks citizens whether a recorded payment reached them (handlers/payment_confirm.py).

Every serving process runs it. Each round takes the payments recorded at least
settings.payment_confirm_days ago and not yet asked; each one is claimed (storage.confirmations.claim)
in the transaction that queues its question in the outbox, so exactly one process asks it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.app import HoTro
from handlers.review.payment_confirm import question
from messages.vocabulary import ChatUserStatus
from storage import confirmations, outbox
from storage.conversations import show_keyboard
from storage.models import ChannelUser

log = logging.getLogger(__name__)

CHECK_INTERVAL = 60.0
BATCH = 200


def _utcnow() -> datetime:
    return datetime.now(UTC)


async def ask_due(app: HoTro, now: datetime) -> int:
    """Queue the question of every payment now due; returns how many this process queued."""
    settings = app.settings
    before = now - timedelta(days=settings.payment_confirm_days)
    after = before - timedelta(days=settings.payment_confirm_window_days)
    asked = 0
    while True:
        async with app.sessions() as session:
            ids = await confirmations.due(session, before, after, BATCH)
        if not ids:
            break
        for payment_id in ids:
            async with app.sessions.begin() as session:
                if not await confirmations.claim(session, payment_id, now):
                    continue  # another process asked it meanwhile
                found = await confirmations.with_application(session, payment_id)
                if found is None:
                    continue
                payment, application = found
                user = await session.get(ChannelUser, application.channel_user_id)
                if user is not None and user.status == ChatUserStatus.BLOCKED:
                    continue  # claimed, not sent: the citizen blocked the bot
                payload = question(application, payment).to_payload()
                await outbox.enqueue(session, application.channel, application.chat_id, payload, now, app.protector)
                # "#2" or the typed "Chưa nhận" (console, Zalo) press this question's buttons, as for any notice.
                await show_keyboard(session, application.channel, application.chat_id, payload["buttons"])
                asked += 1
        if len(ids) < BATCH:
            break
    if asked:
        app.sender.wake()
        log.info("payment confirmation asked for %d payments", asked)
    return asked


async def run_payment_confirmations(
    app: HoTro, stop: asyncio.Event, clock: Callable[[], datetime] = _utcnow, interval: float = CHECK_INTERVAL
) -> None:
    while not stop.is_set():
        try:
            await ask_due(app, clock())
        except Exception:  # a database hiccup must not end the loop; the next round retries
            log.exception("payment confirmation round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
