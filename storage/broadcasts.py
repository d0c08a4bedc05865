"""Broadcasts (officials' announcements) and their per-recipient deliveries.

Expanding an audience is one INSERT … SELECT inside the confirming transaction, so a crash
leaves either the whole recipient list or none of it. Deliveries are claimed like outbox rows:
queued -> sending with claimed_at (FOR UPDATE SKIP LOCKED on PostgreSQL) so several workers share
them; rows of a worker that died come back after a lease, so a crash repeats at most the few
messages it had sent but not yet recorded, and loses none. Every result is recorded only if the
row is still held by the same claim (its claimed_at), so a worker that lost its lease cannot
overwrite another's result. Repositories never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    exists,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from messages.vocabulary import ApplicationKind, AreaLevel, BroadcastStatus, Channel, ChatUserStatus, Role, SendStatus
from storage.conversations import mark_blocked
from storage.models import Application, Broadcast, ChannelUser, Delivery, KeyValue, Official, UTCDateTime
from storage.officials import may_change, scope
from storage.sql import claim_rows, conflict_insert, dialect_of, insert_ignore, supports_skip_locked

LEVELS = (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE)
KINDS = (ApplicationKind.HOUSEHOLD_BUSINESS, ApplicationKind.FREE_WORKER)
ACTIVE = (SendStatus.QUEUED, SendStatus.SENDING)  # a broadcast (or delivery) that still has work to do
# Channels that cannot receive a message the user did not ask for right now (the console only
# prints while someone is at the terminal).
UNREACHABLE_CHANNELS = (Channel.CONSOLE,)
_AREA_COLUMN: dict[str, InstrumentedAttribute[int]] = {
    AreaLevel.COMMUNE: Application.commune_code,
    AreaLevel.DISTRICT: Application.district_code,
    AreaLevel.PROVINCE: Application.province_code,
}


class AudienceError(ValueError):
    """An audience that is malformed or not allowed for this official; `code` says which."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code  # malformed | all_not_allowed | outside_area


@dataclass(frozen=True)
class Audience:
    type: str  # all | area | kind | status
    level: str | None = None
    code: int | None = None
    kind: str | None = None
    status: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type}
        if self.type == "area":
            out |= {"level": self.level, "code": self.code}
        elif self.type == "kind":
            out["kind"] = self.kind
        elif self.type == "status":
            out["status"] = self.status
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(data["type"], data.get("level"), data.get("code"), data.get("kind"), data.get("status"))

    @classmethod
    def parse(cls, spec: str, statuses: Iterable[str] = ()) -> Audience:
        """`all`, `area:<level>:<code>`, `kind:<kind>` or `status:<status>` (the CLI's --audience)."""
        parts = spec.strip().split(":")
        if parts == ["all"]:
            return cls("all")
        if len(parts) == 3 and parts[0] == "area" and parts[1] in LEVELS and parts[2].isdigit():
            return cls("area", level=parts[1], code=int(parts[2]))
        if len(parts) == 2 and parts[0] == "kind" and parts[1] in KINDS:
            return cls("kind", kind=parts[1])
        if len(parts) == 2 and parts[0] == "status" and (not statuses or parts[1] in statuses):
            return cls("status", status=parts[1])
        raise AudienceError("malformed", spec)

    def spec(self) -> str:
        if self.type == "area":
            return f"area:{self.level}:{self.code}"
        if self.type in ("kind", "status"):
            return f"{self.type}:{self.kind or self.status}"
        return "all"


def may_address_everyone(official: Official) -> bool:
    return official.role in (Role.ADMIN, Role.PROVINCE)


def recipients(official: Official, audience: Audience, *, unreachable: bool = False) -> Select[str, str]:
    """(channel, chat_id) of every reachable, subscribed recipient, each once (with `unreachable`:
    those the audience matches on a channel announcements cannot reach, to tell the official).

    The area restriction is applied in SQL whatever the caller checked before: an official's
    audience never reaches an applicant outside their own area.
    """
    channel = ChannelUser.channel.in_ if unreachable else ChannelUser.channel.notin_
    reachable = (ChannelUser.status == ChatUserStatus.ACTIVE) & channel(UNREACHABLE_CHANNELS)
    if audience.type == "all":
        if not may_address_everyone(official):
            raise AudienceError("all_not_allowed")
        return select(ChannelUser.channel, ChannelUser.chat_id).where(reachable).distinct()
    condition: ColumnElement[bool]
    if audience.type == "area" and audience.level in _AREA_COLUMN and audience.code is not None:
        condition = _AREA_COLUMN[audience.level] == audience.code
    elif audience.type == "kind" and audience.kind in KINDS:
        condition = Application.kind == audience.kind
    elif audience.type == "status" and audience.status:
        condition = Application.status == audience.status
    else:
        raise AudienceError("malformed", repr(audience))
    return (
        select(ChannelUser.channel, ChannelUser.chat_id)
        .join(Application, Application.channel_user_id == ChannelUser.id)
        .where(reachable, scope(official), condition)
        .distinct()
    )


async def count_recipients(
    session: AsyncSession, official: Official, audience: Audience, *, unreachable: bool = False
) -> int:
    sub = recipients(official, audience, unreachable=unreachable).subquery()
    return int((await session.execute(select(func.count()).select_from(sub))).scalar_one())


async def create(session: AsyncSession, official: Official, audience: Audience, text: str, now: datetime) -> Broadcast:
    """A draft: what the official previewed, not yet sent to anyone. A monitor sends nothing."""
    if not may_change(official):
        raise PermissionError(f"official {official.id} is a monitor: a monitor sends no announcement")
    broadcast = Broadcast(
        official_id=official.id,
        text=text,
        audience=audience.to_json(),
        status=BroadcastStatus.DRAFT,
        total=0,
        sent_count=0,
        failed_count=0,
        blocked_count=0,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def queue(session: AsyncSession, broadcast: Broadcast, official: Official, message: str, now: datetime) -> int:
    """draft -> queued with every recipient's delivery row, in the caller's transaction.

    Returns the number of recipients, or -1 when the broadcast was no longer a draft (a second
    press of the confirm button, or another process queued it first).
    """
    if not may_change(official):
        raise PermissionError(f"official {official.id} is a monitor: a monitor sends no announcement")
    won = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast.id, Broadcast.status == BroadcastStatus.DRAFT)
        .values(status=BroadcastStatus.QUEUED, queued_at=now, message=message)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return -1
    audience = Audience.from_json(broadcast.audience)
    sub = recipients(official, audience).subquery()
    rows = select(
        literal(broadcast.id, BigInteger()),
        sub.c.channel,
        sub.c.chat_id,
        literal(SendStatus.QUEUED, String()),
        literal(0, Integer()),
        literal(now, UTCDateTime()),
    ).where(sub.c.chat_id.is_not(None))  # a WHERE keeps SQLite's INSERT … SELECT … ON CONFLICT unambiguous
    await session.execute(
        conflict_insert(dialect_of(session), Delivery)
        .from_select(["broadcast_id", "channel", "chat_id", "status", "attempts", "next_attempt_at"], rows)
        .on_conflict_do_nothing(index_elements=["broadcast_id", "channel", "chat_id"])
    )
    total = int(
        (
            await session.execute(
                select(func.count()).select_from(Delivery).where(Delivery.broadcast_id == broadcast.id)
            )
        ).scalar_one()
    )
    await session.execute(update(Broadcast).where(Broadcast.id == broadcast.id).values(total=total))
    await session.refresh(broadcast)
    return total


async def cancel(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Stop a broadcast: nothing still queued is sent. Rows a worker holds right now are settled
    by that worker (it checks for cancellation before every send)."""
    won = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_((BroadcastStatus.DRAFT, *ACTIVE)))
        .values(status=BroadcastStatus.CANCELLED, finished_at=now)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await session.execute(
        update(Delivery)
        .where(Delivery.broadcast_id == broadcast_id, Delivery.status == SendStatus.QUEUED)
        .values(status=SendStatus.CANCELLED, error="cancelled by the official")
    )
    return True


# ---- progress -----------------------------------------------------------------------------


@dataclass
class Progress:
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return self.by_status.get(SendStatus.SENT, 0)

    @property
    def failed(self) -> int:
        return self.by_status.get(SendStatus.FAILED, 0)

    @property
    def blocked(self) -> int:
        return self.by_status.get(SendStatus.BLOCKED, 0)

    @property
    def cancelled(self) -> int:
        return self.by_status.get(SendStatus.CANCELLED, 0)

    @property
    def remaining(self) -> int:
        return self.by_status.get(SendStatus.QUEUED, 0) + self.by_status.get(SendStatus.SENDING, 0)


async def progress(session: AsyncSession, broadcast_ids: Sequence[int]) -> dict[int, Progress]:
    out = {bid: Progress() for bid in broadcast_ids}
    if not broadcast_ids:
        return out
    rows = await session.execute(
        select(Delivery.broadcast_id, Delivery.status, func.count())
        .where(Delivery.broadcast_id.in_(list(broadcast_ids)))
        .group_by(Delivery.broadcast_id, Delivery.status)
    )
    for bid, status, n in rows.all():
        out[bid].by_status[status] = int(n)
        out[bid].total += int(n)
    return out


async def recent(session: AsyncSession, official: Official | None, limit: int = 5) -> list[Broadcast]:
    """The latest confirmed broadcasts: the official's own (an admin's: everyone's; None: all)."""
    stmt = select(Broadcast).where(Broadcast.status != BroadcastStatus.DRAFT).order_by(Broadcast.id.desc()).limit(limit)
    if official is not None and official.role != Role.ADMIN:
        stmt = stmt.where(Broadcast.official_id == official.id)
    return list((await session.execute(stmt)).scalars())


# ---- the worker's side ----------------------------------------------------------------------


async def claim(session: AsyncSession, channel: str, now: datetime, limit: int) -> list[Delivery]:
    """Claim due deliveries of one channel, oldest first; marks their broadcasts 'sending'."""
    stmt = (
        select(Delivery.id)
        .where(Delivery.status == SendStatus.QUEUED, Delivery.channel == channel, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    rows: list[Delivery] = await claim_rows(
        session, Delivery, stmt, now, order_by=(Delivery.next_attempt_at, Delivery.id)
    )
    if not rows:
        return []
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id.in_({row.broadcast_id for row in rows}), Broadcast.status == BroadcastStatus.QUEUED)
        .values(status=BroadcastStatus.SENDING, started_at=now)
    )
    return rows


async def messages_and_status(session: AsyncSession, broadcast_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """broadcast id -> (message, status), for the worker's batch."""
    rows = await session.execute(
        select(Broadcast.id, Broadcast.message, Broadcast.status).where(Broadcast.id.in_(list(set(broadcast_ids))))
    )
    return {bid: (message or "", status) for bid, message, status in rows.all()}


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed delivery; recorded only while the claim still holds."""

    delivery_id: int
    claimed_at: datetime
    status: str  # sent | failed | blocked | cancelled | retry | release
    at: datetime
    channel: str = ""
    chat_id: str = ""
    error: str | None = None
    retry_at: datetime | None = None  # retry and release


def _held(outcome: Outcome) -> ColumnElement[bool]:
    return (
        (Delivery.id == outcome.delivery_id)
        & (Delivery.status == SendStatus.SENDING)
        & (Delivery.claimed_at == outcome.claimed_at)
    )


async def record(session: AsyncSession, outcomes: Sequence[Outcome]) -> int:
    """Store the outcomes; returns how many rows were still held by their claim."""
    done = 0
    sent = [o for o in outcomes if o.status == SendStatus.SENT]
    # The common case in one statement per claim: every sent row of one batch shares its claimed_at.
    by_claim: dict[datetime, list[Outcome]] = {}
    for outcome in sent:
        by_claim.setdefault(outcome.claimed_at, []).append(outcome)
    for claimed_at, group in by_claim.items():
        result = await session.execute(
            update(Delivery)
            .where(
                Delivery.id.in_([o.delivery_id for o in group]),
                Delivery.status == SendStatus.SENDING,
                Delivery.claimed_at == claimed_at,
            )
            .values(status=SendStatus.SENT, sent_at=max(o.at for o in group), error=None)
        )
        done += result.rowcount  # type: ignore[attr-defined]
    for outcome in outcomes:
        if outcome.status == SendStatus.SENT:
            continue
        values: dict[str, Any]
        if outcome.status in (SendStatus.FAILED, SendStatus.BLOCKED, SendStatus.CANCELLED):
            values = {"status": outcome.status, "error": (outcome.error or "")[:500] or None}
        elif outcome.status == "retry":
            values = {
                "status": SendStatus.QUEUED,
                "next_attempt_at": outcome.retry_at or outcome.at,
                "claimed_at": None,
                "error": (outcome.error or "")[:500] or None,
            }
        elif outcome.status == "release":  # never tried: give the attempt back
            values = {
                "status": SendStatus.QUEUED,
                "next_attempt_at": outcome.retry_at or outcome.at,
                "claimed_at": None,
                "attempts": Delivery.attempts - 1,
            }
        else:
            raise ValueError(outcome.status)
        result = await session.execute(update(Delivery).where(_held(outcome)).values(**values))
        done += result.rowcount  # type: ignore[attr-defined]
        if outcome.status == SendStatus.BLOCKED and result.rowcount:  # type: ignore[attr-defined]
            await mark_blocked(session, outcome.channel, outcome.chat_id)
    return done


async def has_expired(session: AsyncSession, now: datetime, lease: timedelta) -> bool:
    stmt = select(Delivery.id).where(Delivery.status == SendStatus.SENDING, Delivery.claimed_at < now - lease).limit(1)
    return (await session.execute(stmt)).first() is not None


async def recover_expired(session: AsyncSession, now: datetime, lease: timedelta) -> int:
    """Rows left 'sending' by a worker that died: back to queued (or cancelled with their broadcast)."""
    expired = (Delivery.status == SendStatus.SENDING) & (Delivery.claimed_at < now - lease)
    cancelled = select(Broadcast.id).where(Broadcast.status == BroadcastStatus.CANCELLED)
    await session.execute(
        update(Delivery)
        .where(expired, Delivery.broadcast_id.in_(cancelled))
        .values(status=SendStatus.CANCELLED, claimed_at=None, error="cancelled by the official")
    )
    result = await session.execute(
        update(Delivery).where(expired).values(status=SendStatus.QUEUED, claimed_at=None, next_attempt_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def finishable(session: AsyncSession) -> list[int]:
    """Broadcasts in progress with nothing left to send."""
    left = exists().where(Delivery.broadcast_id == Broadcast.id, Delivery.status.in_(ACTIVE))
    stmt = select(Broadcast.id).where(Broadcast.status.in_(ACTIVE), ~left).order_by(Broadcast.id)
    return list((await session.execute(stmt)).scalars())


async def mark_done(session: AsyncSession, broadcast_id: int, now: datetime) -> Broadcast | None:
    """Mark it done with its final counts; None when another process did it first (or work is left)."""
    counts = (await progress(session, [broadcast_id]))[broadcast_id]
    if counts.remaining:
        return None
    won = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_(ACTIVE))
        .values(
            status=BroadcastStatus.DONE,
            finished_at=now,
            total=counts.total,
            sent_count=counts.sent,
            failed_count=counts.failed,
            blocked_count=counts.blocked,
        )
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.get(Broadcast, broadcast_id, populate_existing=True)


async def official_chat(session: AsyncSession, official: Official) -> tuple[str, str]:
    """Where to write to an official: their chat on their channel (the user id in a private chat)."""
    chat_id = (
        await session.execute(
            select(ChannelUser.chat_id).where(
                ChannelUser.channel == official.channel, ChannelUser.user_id == official.user_id
            )
        )
    ).scalar_one_or_none()
    return official.channel, chat_id or official.user_id


# ---- the shared send schedule ------------------------------------------------------------------


def _pace_key(channel: str) -> str:
    return f"broadcast.pace.{channel}"


async def _locked_schedule(session: AsyncSession, channel: str, now: float) -> KeyValue:
    key = _pace_key(channel)
    await session.execute(
        insert_ignore(
            session, KeyValue, {"key": key, "value": repr(now), "version": 0, "updated_at": _utc(now)}, ["key"]
        )
    )
    stmt = select(KeyValue).where(KeyValue.key == key).execution_options(populate_existing=True)
    if supports_skip_locked(session):
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one()


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


async def reserve_slots(session: AsyncSession, channel: str, now: float, count: int, interval: float) -> float:
    """Reserve `count` send slots `interval` apart on the channel's schedule shared by every process
    (a GCRA: the row holds the theoretical time of the next free slot). Returns the first slot's
    time (epoch seconds); never earlier than now, so idle time is not saved up into a burst."""
    row = await _locked_schedule(session, channel, now)
    start = max(now, float(row.value))
    row.value = repr(start + count * interval)
    row.version += 1
    row.updated_at = _utc(now)
    return start


async def pause_schedule(session: AsyncSession, channel: str, now: float, seconds: float) -> None:
    """The platform said 429: no process sends on this channel before now + seconds."""
    row = await _locked_schedule(session, channel, now)
    row.value = repr(max(float(row.value), now + seconds))
    row.version += 1
    row.updated_at = _utc(now)


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)
