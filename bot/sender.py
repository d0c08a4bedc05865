"""Delivers outbox rows through the channel transports, after the turn has committed."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.metrics import Metrics
from bot.pauses import ChannelPauses
from bot.transport import Blocked, Held, PermanentFailure, RateLimited, RetryLater, Transport, backoff
from messages.vocabulary import SendStatus
from storage import broadcasts, outbox
from storage.conversations import mark_blocked
from storage.crypto import DataProtector
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

# A reply or notice is given up after 8 tries (about 4 minutes of waits between them): a citizen waiting in a chat
# is better told nothing arrived than answered a quarter of an hour late. Announcements try longer
# (bot.announcement_sender.MAX_ATTEMPTS).
MAX_ATTEMPTS = 8
MARK_DELAY = 0.05  # seconds a turn reply's 'sent' mark may wait, to share one UPDATE with others
MARK_BATCH = 200  # marks that are written at once, without waiting


class OutboxSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transports: dict[str, Transport],
        metrics: Metrics | None = None,
        lease: timedelta = outbox.LEASE,
        *,
        protector: DataProtector,
    ) -> None:
        self.sessions = sessions
        self.protector = protector
        self.transports = transports
        self.metrics = metrics
        self.lease = lease
        self._wakeup = asyncio.Event()
        # Turn replies sent but not yet marked 'sent', by chat. Marking them costs a transaction; batched,
        # one UPDATE serves many turns. A crash before the mark leaves them 'sending', and the lease sends
        # them again: the same at-most-one-repeat-per-crash as a crash between sending and marking.
        self._unmarked: dict[tuple[str, str], list[int]] = {}
        self._mark_timer: asyncio.TimerHandle | None = None
        self._mark_tasks: set[asyncio.Task[None]] = set()
        self.pauses = ChannelPauses()  # a 429 holds every send on its channel (the broadcaster's too)

    def wake(self) -> None:
        self._wakeup.set()

    async def deliver(
        self,
        ids: Sequence[int] | None = None,
        *,
        channel: str | None = None,
        chat_id: str | None = None,
        limit: int = 100,
    ) -> int:
        """Claim and send due rows (optionally only `ids`); returns how many were claimed."""
        now = datetime.now(UTC)
        channels = [channel] if channel else list(self.transports)
        claimed: list[OutboxMessage] = []
        async with self.sessions.begin() as session:
            for name in channels:
                claimed += await outbox.claim(
                    session, now, ids=ids, channel=name, chat_id=chat_id, limit=limit, lease=self.lease
                )
        if claimed:
            await self._send_claimed(claimed)
        return len(claimed)

    async def send_claimed(self, rows: list[OutboxMessage]) -> None:
        """Send rows the caller already claimed (a turn's own replies), then record the outcome;
        'sent' marks are batched (see `unmarked`)."""
        if rows:
            await self._send_claimed(rows, batch_marks=True)

    def unmarked(self, channel: str, chat_id: str) -> list[int]:
        """This chat's rows that were sent but whose 'sent' mark is still waiting for its batch."""
        return self._unmarked.get((channel, chat_id), [])

    async def flush_marks(self) -> None:
        """Write every waiting 'sent' mark now (shutdown, tests, or a full batch)."""
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        # The ids stay listed until the UPDATE commits, so a turn meanwhile still sees them as sent.
        batch = {key: list(chat_ids) for key, chat_ids in self._unmarked.items()}
        ids = [row_id for chat_ids in batch.values() for row_id in chat_ids]
        if not ids:
            return
        try:
            async with self.sessions.begin() as session:
                await outbox.mark_sent(session, ids, datetime.now(UTC))
        except Exception:
            log.exception("could not mark %d sent messages; retrying", len(ids))
            self._schedule_marks(delay=1.0)
            return
        for key, chat_ids in batch.items():
            done = set(chat_ids)
            left = [row_id for row_id in self._unmarked.get(key, []) if row_id not in done]
            if left:
                self._unmarked[key] = left
            else:
                self._unmarked.pop(key, None)

    async def close(self) -> None:
        """Let a batch being written finish, then write what is left (graceful shutdown)."""
        await asyncio.gather(*self._mark_tasks, return_exceptions=True)
        await self.flush_marks()

    def _defer_marks(self, rows: list[OutboxMessage], sent: list[int]) -> None:
        done = set(sent)
        for row in rows:
            if row.id in done:
                self._unmarked.setdefault((row.channel, row.chat_id), []).append(row.id)
        if sum(len(ids) for ids in self._unmarked.values()) >= MARK_BATCH:
            self._schedule_marks(delay=0)
        elif self._mark_timer is None:
            self._schedule_marks(delay=MARK_DELAY)

    def _schedule_marks(self, delay: float) -> None:
        if self._mark_timer is not None:
            self._mark_timer.cancel()

        def start() -> None:
            self._mark_timer = None
            task = asyncio.get_running_loop().create_task(self.flush_marks())
            self._mark_tasks.add(task)  # a reference, so the task is not collected mid-flight
            task.add_done_callback(self._mark_tasks.discard)

        self._mark_timer = asyncio.get_running_loop().call_later(delay, start)

    def _renewal_due(self, rows: Sequence[OutboxMessage]) -> datetime:
        """When half the lease of the oldest claim is gone: mark what was sent, renew the rest."""
        claims = [row.claimed_at for row in rows if row.claimed_at is not None]
        return min(claims, default=datetime.now(UTC)) + self.lease / 2

    async def _keep_claim(self, rows: list[OutboxMessage], sent: list[int]) -> set[int]:
        """A batch that outlasts half its lease (a slow platform): write the 'sent' marks so far and renew
        the claim on the rows still to send, so that no other sender takes them, sent or not. Returns the
        ids that are no longer this sender's (their lease had run out and another claimed them)."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            await outbox.mark_sent(session, sent, now)
            kept = await outbox.renew(session, rows, now)
        for row in rows:
            if row.id in kept:
                row.claimed_at = now
        return {row.id for row in rows} - kept

    async def _send_claimed(self, rows: list[OutboxMessage], batch_marks: bool = False) -> None:
        sent: list[int] = []
        marked: list[int] = []  # sent and already marked by _keep_claim
        lost: set[int] = set()  # claimed by another sender meanwhile: theirs to send
        renew_at = self._renewal_due(rows)
        retries: list[tuple[int, datetime, str]] = []
        failed: list[tuple[int, str]] = []
        blocked: list[OutboxMessage] = []
        waiting: list[int] = []
        waiting_why: dict[str, list[int]] = {}  # held rows by the reason they wait (`hotro officials list`)
        waiting_chats: dict[tuple[str, str], str] = {}
        held: dict[tuple[str, str], datetime] = {}
        rate_limited: dict[str, float] = {}  # channel -> retry_after of a 429 met in this batch
        postponed: list[tuple[int, datetime]] = []  # not tried: their channel is paused
        for index, row in enumerate(rows):
            if datetime.now(UTC) >= renew_at:
                lost |= await self._keep_claim(rows[index:], sent)
                marked += sent
                sent = []
                renew_at = self._renewal_due(rows[index:])
            if row.id in lost:
                continue
            key = (row.channel, row.chat_id)
            if key in waiting_chats:
                waiting.append(row.id)
                waiting_why.setdefault(waiting_chats[key], []).append(row.id)
                continue
            if key in held:
                # Keep a chat's messages in order: nothing overtakes a message waiting for a retry.
                retries.append((row.id, held[key], "held behind an earlier message"))
                continue
            paused = self.pauses.remaining(row.channel)
            if paused:  # the platform asked the whole bot to wait: sending now would only earn a 429
                postponed.append((row.id, datetime.now(UTC) + timedelta(seconds=paused)))
                continue
            transport = self.transports.get(row.channel)
            try:
                if transport is None:
                    raise RetryLater(60, f"no transport for {row.channel}")
                await transport.send(row.chat_id, outbox.payload_of(row, self.protector))
                sent.append(row.id)
            except Blocked:
                blocked.append(row)
            except Held as exc:
                waiting.append(row.id)
                waiting_chats[key] = str(exc) or "held"  # not vocabulary: a reason text
                waiting_why.setdefault(waiting_chats[key], []).append(row.id)
            except PermanentFailure as exc:
                failed.append((row.id, str(exc)))
            except Exception as exc:  # RetryLater, or anything unknown: it must not kill the loop
                if not isinstance(exc, RetryLater):
                    log.exception("outbox send failed for row %s", row.id)
                after = exc.after if isinstance(exc, RetryLater) else backoff(row.attempts)
                if isinstance(exc, RateLimited):
                    self.pauses.pause(row.channel, after)
                    rate_limited[row.channel] = max(rate_limited.get(row.channel, 0.0), after)
                if row.attempts >= MAX_ATTEMPTS:
                    failed.append((row.id, f"gave up: {exc!r}"))
                    continue
                held[key] = datetime.now(UTC) + timedelta(seconds=max(after, 0.05))
                retries.append((row.id, held[key], repr(exc)))
        counted = [row for row in rows if row.id not in lost]
        self._count(
            counted, [*marked, *sent], [*retries, *((i, when, "") for i, when in postponed)], failed, blocked, waiting
        )
        if batch_marks:
            self._defer_marks(rows, sent)
            if not (retries or failed or blocked or waiting or postponed):
                return
            sent = []
        async with self.sessions.begin() as session:
            await outbox.mark_sent(session, sent, datetime.now(UTC))
            for row_id, when, reason in retries:
                await outbox.mark_retry(session, [row_id], when, reason)
            for row_id, when in postponed:
                await outbox.mark_postponed(session, [row_id], when, "channel paused (429)")
            for row_id, reason in failed:
                await outbox.mark_failed(session, [row_id], reason)
            for reason, ids in waiting_why.items():
                await outbox.mark_held(session, ids, reason)
            for channel, seconds in rate_limited.items():  # the other processes' announcements wait too
                await broadcasts.pause_schedule(session, channel, time.time(), seconds)
            for row in blocked:
                await outbox.mark_failed(session, [row.id], "blocked by user")
                await mark_blocked(session, row.channel, row.chat_id)

    def _count(
        self,
        rows: list[OutboxMessage],
        sent: list[int],
        retries: list[tuple[int, datetime, str]],
        failed: list[tuple[int, str]],
        blocked: list[OutboxMessage],
        waiting: list[int],
    ) -> None:
        if self.metrics is None:
            return
        outcome: dict[int, str] = {row_id: SendStatus.SENT for row_id in sent}
        outcome.update({row_id: "retry" for row_id, _when, _reason in retries})
        outcome.update({row_id: SendStatus.FAILED for row_id, _reason in failed})
        outcome.update({row.id: SendStatus.BLOCKED for row in blocked})
        outcome.update({row_id: SendStatus.HELD for row_id in waiting})
        for row in rows:
            self.metrics.sent.labels(row.channel, outcome.get(row.id, "unknown")).inc()

    async def run(self, poll_interval: float = 1.0, stop: asyncio.Event | None = None) -> None:
        """Background loop: sends whatever is due (retries, rows left by a crash, notices)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                while await self.deliver() and not stop.is_set():
                    pass
            except Exception:
                log.exception("outbox sender loop error")
            self._wakeup.clear()
            waiters = [asyncio.ensure_future(self._wakeup.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=poll_interval, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
