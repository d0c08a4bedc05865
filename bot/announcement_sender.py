"""Sends officials' announcements at the platform's rate; `hotro broadcast` from the command line.

Worker: `run_broadcasts(app, stop)` runs next to the outbox sender in `hotro serve` / `hotro telegram`.
Per channel it claims due deliveries in batches (storage.broadcasts.claim), paces them and records
each result as soon as the send returns (group commit), so a crash repeats at most the messages
in flight and loses none: their rows stay 'sending' and come back after the lease.

Pacing: one shared schedule per channel in the database (a GCRA token bucket without burst,
storage.broadcasts.reserve_slots), so several processes together stay under
`broadcast_rate_per_second`, and a 429 pauses all of them for retry_after. Per chat, at most one
message per `broadcast_chat_interval_seconds`.

Replies to citizens (the outbox) are not paced here: they keep the headroom between this rate
(default 25/s) and Telegram's ~30/s. A citizen waiting for an answer must not queue behind a
5,000-message announcement, and replies are few and bursty; if they ever exceed the headroom,
a 429 met by either pauses both (bot.pauses), and the replies resume first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import HoTro
from bot.config import Settings
from bot.database import open_db
from bot.pauses import ChannelPauses
from bot.transport import Blocked, Held, PermanentFailure, RetryLater, Transport, backoff
from handlers.announce import service
from handlers.validators import Valid
from messages import fmt
from messages.i18n import _
from messages.vocabulary import STATUSES, BroadcastStatus, SendStatus
from storage import broadcasts as store
from storage import officials, outbox
from storage.broadcasts import Audience, AudienceError, Outcome
from storage.models import Delivery
from storage.officials import reviews

log = logging.getLogger(__name__)

# An announcement's delivery is tried 10 times (about 17 minutes of waits between them), longer than a reply
# (bot.sender.MAX_ATTEMPTS): it is not awaited in a chat, and a large send meets the platforms' rate
# limits for longer than one reply does.
MAX_ATTEMPTS = 10
BATCH_SECONDS = 2.0  # claim about this many seconds of sending at a time: small next to the lease
CHUNK_SECONDS = 0.5  # slots reserved on the shared schedule per database round trip


def _now() -> datetime:
    return datetime.now(UTC)


class Writes:
    """The worker's write transactions. SQLite has one writer at a time and its busy handler sleeps in
    growing steps (up to 100 ms) while it waits, which stalls the pacing; so on SQLite this process's
    writers queue on an asyncio lock instead. PostgreSQL locks rows and needs no such gate."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], single_writer: bool) -> None:
        self.sessions = sessions
        self.lock = asyncio.Lock() if single_writer else None

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        async with contextlib.AsyncExitStack() as stack:
            if self.lock is not None:
                await stack.enter_async_context(self.lock)
            yield await stack.enter_async_context(self.sessions.begin())


class Pacer:
    """The channel's send schedule shared through the database (see storage.broadcasts.reserve_slots).

    Slots are reserved a chunk at a time, and the next chunk in the background once half of the current
    one is used, so database latency does not open gaps in the schedule. A slot missed by more than one
    interval is dropped rather than sent late, so a stalled worker never bursts to catch up.
    A pause (429) stops this process at once and the others within about a chunk (CHUNK_SECONDS).
    """

    def __init__(self, writes: Writes, channel: str, rate: float, pauses: ChannelPauses | None = None) -> None:
        self.writes = writes
        self.channel = channel
        self.interval = 1.0 / rate
        self.chunk = max(1, round(rate * CHUNK_SECONDS))
        self.slots: deque[float] = deque()
        self.pauses = pauses or ChannelPauses()  # shared with the outbox sender (bot.pauses)
        self.lock = asyncio.Lock()
        self._prefetch: asyncio.Task[None] | None = None

    async def _reserve(self) -> None:
        async with self.writes.begin() as session:
            start = await store.reserve_slots(session, self.channel, time.time(), self.chunk, self.interval)
        self.slots.extend(start + i * self.interval for i in range(self.chunk))

    async def _reserve_in_background(self) -> None:
        try:
            await self._reserve()
        except Exception:  # acquire() reserves again in the foreground when it runs out
            log.exception("reserving broadcast send slots failed")

    async def acquire(self) -> None:
        async with self.lock:  # one taker at a time: concurrent reservations would waste chunks
            await self._acquire()

    async def _acquire(self) -> None:
        while True:
            if not self.slots:
                if self._prefetch is not None and not self._prefetch.done():
                    await self._prefetch
                if not self.slots:
                    await self._reserve()
                continue
            slot = self.slots.popleft()
            if slot < time.time() - self.interval or slot < self.paused_until:
                continue
            if len(self.slots) <= self.chunk // 2 and (self._prefetch is None or self._prefetch.done()):
                self._prefetch = asyncio.create_task(self._reserve_in_background())
            delay = slot - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            if slot >= self.paused_until:  # a 429 while we slept voids the slot
                return

    @property
    def paused_until(self) -> float:
        """A 429 seen by this process's broadcaster or its outbox sender; replies resume first."""
        return self.pauses.announcements_until(self.channel)

    async def pause(self, seconds: float) -> None:
        now = time.time()
        self.pauses.pause(self.channel, seconds)
        self.slots.clear()
        async with self.writes.begin() as session:
            await store.pause_schedule(session, self.channel, now, seconds)


class GroupCommit:
    """Records outcomes as soon as possible: whoever finds the lock free writes everything pending
    in one transaction. One row per commit at low rates, many at high rates."""

    def __init__(self, flush: Callable[[list[Outcome]], Awaitable[None]]) -> None:
        self.flush = flush
        self.pending: list[Outcome] = []
        self.lock = asyncio.Lock()

    async def add(self, outcome: Outcome) -> None:
        self.pending.append(outcome)
        async with self.lock:
            if not self.pending:  # an earlier holder wrote ours too
                return
            items, self.pending = self.pending, []
            for attempt in range(5):
                try:
                    await self.flush(items)
                    return
                except Exception:
                    # Unrecorded rows stay 'sending' and would be sent again after the lease: try hard.
                    log.exception("recording broadcast results failed (attempt %s)", attempt + 1)
                    await asyncio.sleep(0.2 * 2**attempt)


class ChannelWorker:
    def __init__(
        self,
        app: HoTro,
        channel: str,
        writes: Writes,
        *,
        rate: float,
        chat_interval: float,
        lease: float,
        poll_interval: float,
    ) -> None:
        self.app = app
        self.sessions = app.sessions
        self.channel = channel
        self.chat_interval = chat_interval
        self.lease = lease
        self.poll_interval = poll_interval
        self.writes = writes
        self.pacer = Pacer(writes, channel, rate, app.sender.pauses)
        self.batch = max(1, min(1000, int(rate * BATCH_SECONDS), int(rate * lease / 4)))
        self.inflight = asyncio.Semaphore(max(8, int(rate)))
        self.tasks: set[asyncio.Task[None]] = set()
        self.last_sent: dict[str, float] = {}  # chat -> monotonic time of our last send to it
        self.messages: dict[int, str] = {}
        self.cancelled: set[int] = set()
        self._checked = 0.0
        self.commits = GroupCommit(self._record)

    @property
    def transport(self) -> Transport | None:
        return self.app.sender.transports.get(self.channel)

    async def _record(self, outcomes: list[Outcome]) -> None:
        async with self.writes.begin() as session:
            await store.record(session, outcomes)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                rows = await self._claim()
            except Exception:
                log.exception("claiming broadcast deliveries failed")
                rows = []
            if rows:
                try:
                    await self._send_batch(rows, stop)
                except Exception:
                    # Rows not yet handed to a send stay 'sending' and come back after the lease, unsent.
                    log.exception("sending a broadcast batch failed")
                    await asyncio.sleep(self.poll_interval)
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_interval)
        await self.drain()

    async def drain(self) -> None:
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _claim(self) -> list[Delivery]:
        async with self.writes.begin() as session:
            rows = await store.claim(session, self.channel, _now(), self.batch)
            if rows:
                known = await store.messages_and_status(session, {r.broadcast_id for r in rows})
                # Only this batch's texts are kept (in-flight sends hold their own).
                self.messages = {bid: message for bid, (message, _s) in known.items()}
                self.cancelled |= {bid for bid, (_m, status) in known.items() if status == BroadcastStatus.CANCELLED}
        self._checked = time.monotonic()
        self._forget_old_chats()
        return rows

    def _forget_old_chats(self) -> None:
        horizon = time.monotonic() - self.chat_interval
        if len(self.last_sent) > 10_000 or (self.last_sent and next(iter(self.last_sent.values())) < horizon):
            self.last_sent = {chat: t for chat, t in self.last_sent.items() if t >= horizon}

    async def _refresh_cancelled(self, rows: list[Delivery]) -> None:
        # Checked twice a second, so stopping a broadcast takes effect within about that.
        if time.monotonic() - self._checked < 0.5:
            return
        self._checked = time.monotonic()
        async with self.sessions() as session:
            known = await store.messages_and_status(session, {r.broadcast_id for r in rows})
        self.cancelled |= {bid for bid, (_m, status) in known.items() if status == BroadcastStatus.CANCELLED}

    async def _send_batch(self, rows: list[Delivery], stop: asyncio.Event) -> None:
        claimed = time.monotonic()

        def expiring() -> bool:
            # Past half the lease another worker may take these rows over: hand them back unsent.
            return stop.is_set() or time.monotonic() - claimed > self.lease / 2

        for index, row in enumerate(rows):
            if expiring():
                await self._release(rows[index:])
                return
            await self._refresh_cancelled(rows)
            if row.broadcast_id in self.cancelled:
                await self.commits.add(self._outcome(row, SendStatus.CANCELLED, error="cancelled by the official"))
                continue
            last = self.last_sent.get(row.chat_id)
            if last is not None and time.monotonic() - last < self.chat_interval:
                wait = self.chat_interval - (time.monotonic() - last)
                await self.commits.add(self._outcome(row, "release", retry_in=wait))
                continue
            await self.pacer.acquire()  # may wait long: a 429 can pause the bucket for a while
            if expiring():
                await self._release(rows[index:])
                return
            await self.inflight.acquire()
            self.last_sent[row.chat_id] = time.monotonic()
            task = asyncio.create_task(self._send_one(row, self.messages[row.broadcast_id]))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

    async def _release(self, rows: list[Delivery]) -> None:
        for row in rows:
            await self.commits.add(self._outcome(row, "release"))

    def _outcome(self, row: Delivery, status: str, *, error: str | None = None, retry_in: float = 0.0) -> Outcome:
        now = _now()
        assert row.claimed_at is not None
        return Outcome(
            delivery_id=row.id,
            claimed_at=row.claimed_at,
            status=status,
            at=now,
            channel=row.channel,
            chat_id=row.chat_id,
            error=error,
            retry_at=now + timedelta(seconds=retry_in) if status in ("retry", "release") else None,
        )

    async def _send_one(self, row: Delivery, message: str) -> None:
        try:
            outcome = await self._attempt(row, message)
        finally:
            self.inflight.release()
        await self.commits.add(outcome)

    async def _attempt(self, row: Delivery, message: str) -> Outcome:
        transport = self.transport
        if transport is None:
            return self._outcome(row, "release", retry_in=60)
        try:
            await transport.send(row.chat_id, {"text": message, "buttons": []})
            return self._outcome(row, SendStatus.SENT)
        except Blocked as exc:
            return self._outcome(row, SendStatus.BLOCKED, error=f"blocked by the user: {exc}")
        except Held:
            return self._outcome(row, SendStatus.FAILED, error="outside the platform's reply window")
        except PermanentFailure as exc:
            return self._outcome(row, SendStatus.FAILED, error=str(exc))
        except Exception as exc:
            if isinstance(exc, RetryLater):
                # Telegram's 429 is for the whole bot: nobody on this channel sends until it has passed.
                try:
                    await self.pacer.pause(exc.after)
                except Exception:  # this process still pauses; the row is rescheduled either way
                    log.exception("sharing a 429 pause failed")
                after = max(exc.after, 0.05)
            else:
                log.exception("broadcast send failed for delivery %s", row.id)
                after = backoff(row.attempts)
            if row.attempts >= MAX_ATTEMPTS:
                return self._outcome(row, SendStatus.FAILED, error=f"gave up after {row.attempts} attempts: {exc!r}")
            return self._outcome(row, "retry", error=repr(exc), retry_in=after)


async def housekeeping(app: HoTro, lease: float, writes: Writes | None = None) -> list[int]:
    """Take back rows of crashed workers; mark finished broadcasts done and report to their officials.
    Returns the ids of the broadcasts finished now. Reads first: most polls have nothing to write."""
    writes = writes or Writes(app.sessions, single_writer=False)
    now = _now()
    finished = []
    async with app.sessions() as session:
        expired = await store.has_expired(session, now, timedelta(seconds=lease))
        candidates = await store.finishable(session)
    if expired:
        async with writes.begin() as session:
            await store.recover_expired(session, now, timedelta(seconds=lease))
    for broadcast_id in candidates:
        async with writes.begin() as session:
            broadcast = await store.mark_done(session, broadcast_id, now)
            if broadcast is None:
                continue  # another process finished it
            official = await officials.by_id(session, broadcast.official_id)
            if official is not None:
                channel, chat_id = await store.official_chat(session, official)
                payload = {"text": service.final_report(broadcast), "buttons": []}
                await outbox.enqueue(session, channel, chat_id, payload, now, app.protector)
            finished.append(broadcast_id)
    if finished:
        app.sender.wake()
    return finished


async def run_broadcasts(
    app: HoTro,
    stop: asyncio.Event,
    *,
    rate: float | None = None,
    chat_interval: float | None = None,
    lease: float | None = None,
    poll_interval: float = 1.0,
) -> None:
    """Send queued announcements until `stop` is set (then hand back what was claimed but not sent).

    rate / chat_interval / lease default to settings.broadcast_rate_per_second (25),
    settings.broadcast_chat_interval_seconds (1.0) and settings.broadcast_lease_seconds (60). A worker
    starts for each channel that has a transport in app.sender.transports (checked every poll, as
    adapters register theirs late).
    """
    rate = rate or app.settings.broadcast_rate_per_second
    lease = lease or app.settings.broadcast_lease_seconds
    chat_interval = chat_interval if chat_interval is not None else app.settings.broadcast_chat_interval_seconds
    writes = Writes(app.sessions, single_writer=app.db.dialect.name == "sqlite")
    workers: dict[str, asyncio.Task[None]] = {}
    while not stop.is_set():
        for channel in list(app.sender.transports):
            task = workers.get(channel)
            if task is None or task.done():
                if task is not None and not task.cancelled() and task.exception() is not None:
                    log.error("broadcast worker for %s stopped", channel, exc_info=task.exception())
                worker = ChannelWorker(
                    app,
                    channel,
                    writes,
                    rate=rate,
                    chat_interval=chat_interval,
                    lease=lease,
                    poll_interval=poll_interval,
                )
                workers[channel] = asyncio.create_task(worker.run(stop))
        try:
            await housekeeping(app, lease, writes)
        except Exception:
            log.exception("broadcast housekeeping failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_interval)
    await asyncio.gather(*workers.values(), return_exceptions=True)


# ---- `hotro broadcast` ------------------------------------------------------------------------------


async def run_cli(settings: Settings, args: argparse.Namespace) -> None:
    now = _now()
    async with open_db(settings) as db, db.sessions.begin() as session:
        if args.status:
            items = await service.recent(session, None, args.limit)
            if not items:
                print(_("No announcement has been sent yet."))
            for paragraph in await service.describe_recent(session, items):
                print(paragraph, end="\n\n")
            return
        if args.cancel is not None:
            if await service.stop(session, args.cancel, now):
                print(_("Announcement #{id} has been stopped.").format(id=args.cancel))
                return
            raise SystemExit(_("Announcement #{id} is no longer being sent.").format(id=args.cancel))
        if args.official_id is None or args.audience is None or args.text is None:
            raise SystemExit(_("Give --official-id, --audience and --text (or --status, or --cancel ID)."))
        official = await officials.by_id(session, args.official_id)
        if official is None or not reviews(official):  # a helper announces nothing
            raise SystemExit(_("There is no active official with id {id}.").format(id=args.official_id))
        try:
            audience = Audience.parse(args.audience, STATUSES)
            service.check(official, audience)
        except AudienceError as error:
            raise SystemExit(service.audience_error(error)) from error
        parsed = service.clean_announcement(args.text)
        if not isinstance(parsed, Valid):
            raise SystemExit(parsed.message)
        text = parsed.value
        shown = await service.preview(session, official, audience, text)
        print(shown.message)
        print("———")
        print(
            _("Recipients: {n} ({audience}).").format(
                n=fmt.number(shown.count), audience=service.describe(audience, official)
            )
        )
        if shown.unreachable:
            print(shown.unreachable)
        if not args.yes:
            print(_("Nothing was sent. Add --yes to send it."))
            return
        if shown.count == 0:
            raise SystemExit(_("No one is left to receive this announcement. Nothing was sent."))
        broadcast = await service.create_draft(session, official, audience, text, now)
        total = await service.send(session, official, broadcast, now)
        print(
            _("Announcement #{id} is queued for {n} recipients. You will get a report when it has been sent.").format(
                id=broadcast.id, n=fmt.number(total)
            )
        )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "broadcast",
        help=_("send an announcement to citizens, list announcements (--status) or stop one (--cancel ID)"),
        description=_(
            "Without --yes, prints the message and the number of recipients and sends nothing. "
            "The running bot (hotro serve / hotro telegram) delivers queued announcements."
        ),
    )
    parser.add_argument("--official-id", type=int, help=_("the official sending it (see `hotro officials list`)"))
    parser.add_argument(
        "--audience",
        help=_(
            "all | area:<province|district|commune>:<GSO code> | kind:<household_business|free_worker> | "
            "status:<application status>"
        ),
    )
    parser.add_argument("--text", help=_("the announcement (at most 3500 characters)"))
    parser.add_argument("--yes", action="store_true", help=_("queue it for sending"))
    parser.add_argument("--status", action="store_true", help=_("list recent announcements with their progress"))
    parser.add_argument("--limit", type=int, default=10, help=_("how many --status lists"))
    parser.add_argument("--cancel", type=int, metavar="ID", help=_("stop an announcement"))
    parser.set_defaults(func=run_cli)
