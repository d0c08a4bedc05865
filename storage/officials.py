"""Officials and the area each may see: commune, district, province, or everything (admin).

A monitor (the Fatherland Front's representative, MTTQ) sees one area at its level (area_level) and
changes nothing: every state-changing service asks may_change() first.

A helper (Role.HELPER: a village head or volunteer) is kept in the same table, scoped to a commune, but is
no official for anything else: get_official and officials_for never return one; get_assistant does, for
registering an application on a citizen's behalf."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Row, and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from messages.vocabulary import REVIEW_ROLES, AreaLevel, ChatUserStatus, Role
from storage.crypto import DataProtector
from storage.models import Application, ChannelUser, Complaint, Official

ROLES = REVIEW_ROLES  # the roles that review applications (exports, reports, lists)
ALL_ROLES = tuple(Role)
LEVELS = tuple(AreaLevel)
EMAIL_CONTEXT = "official_email"  # the DataProtector context of Official.email_enc
_AREA_COLUMN: dict[str, InstrumentedAttribute[int]] = {
    AreaLevel.COMMUNE: Application.commune_code,
    AreaLevel.DISTRICT: Application.district_code,
    AreaLevel.PROVINCE: Application.province_code,
}
_COMPLAINT_AREA_COLUMN: dict[str, InstrumentedAttribute[int]] = {
    AreaLevel.COMMUNE: Complaint.commune_code,
    AreaLevel.DISTRICT: Complaint.district_code,
    AreaLevel.PROVINCE: Complaint.province_code,
}


def level_of(official: Official) -> AreaLevel | None:
    """The administrative level of the official's area (None for an admin, who sees everything)."""
    if official.role == Role.ADMIN:
        return None
    if official.role == Role.MONITOR:
        return AreaLevel(official.area_level or AreaLevel.COMMUNE)
    if official.role == Role.HELPER:
        return AreaLevel.COMMUNE
    return AreaLevel(official.role)


def is_monitor(official: Official) -> bool:
    return official.role == Role.MONITOR


def may_change(official: Official) -> bool:
    """Whether the official may change anything (a monitor may only look)."""
    return bool(official.active) and official.role != Role.MONITOR


async def by_id(session: AsyncSession, official_id: int) -> Official | None:
    """The official with this id, active or not (the audit trail names removed ones too)."""
    return await session.get(Official, official_id)


async def by_ids(session: AsyncSession, official_ids: Iterable[int]) -> dict[int, Official]:
    """The officials with these ids, active or not, in one query (an audit trail's authors)."""
    wanted = set(official_ids)
    if not wanted:
        return {}
    found = (await session.execute(select(Official).where(Official.id.in_(wanted)))).scalars()
    return {o.id: o for o in found}


async def get_official(session: AsyncSession, channel: str, user_id: str) -> Official | None:
    """The active official or monitor (never a helper) of this channel identity."""
    official = await get_assistant(session, channel, user_id)
    return official if official is not None and reviews(official) else None


async def get_assistant(session: AsyncSession, channel: str, user_id: str) -> Official | None:
    """Whoever may register an application on a citizen's behalf: an active official or helper."""
    stmt = select(Official).where(Official.channel == channel, Official.user_id == user_id, Official.active)
    return (await session.execute(stmt)).scalar_one_or_none()


def reviews(official: Official) -> bool:
    """An active official of a reviewing role (a helper reviews nothing)."""
    return bool(official.active) and official.role in REVIEW_ROLES


def scope(official: Official) -> ColumnElement[bool]:
    """SQL condition: the applications this official may see."""
    level = level_of(official)
    if level is None:
        return true()
    return _AREA_COLUMN[level] == official.area_code


def complaint_scope(official: Official) -> ColumnElement[bool]:
    """SQL condition: the complaints this official (or monitor) may see."""
    level = level_of(official)
    if level is None:
        return true()
    return _COMPLAINT_AREA_COLUMN[level] == official.area_code


def covers(official: Official, item: Application | Complaint) -> bool:
    """Whether an application or a complaint lies in the official's area."""
    level = level_of(official)
    if level is None:
        return True
    areas: dict[str, int] = {
        AreaLevel.COMMUNE: item.commune_code,
        AreaLevel.DISTRICT: item.district_code,
        AreaLevel.PROVINCE: item.province_code,
    }
    return areas[level] == official.area_code


async def officials_for(
    session: AsyncSession, item: Application | Complaint, *, monitors: bool = False
) -> Sequence[Official]:
    """Every active official whose area covers the application or complaint (for notices); with
    monitors=True the area's monitors too."""
    codes = {
        AreaLevel.COMMUNE: item.commune_code,
        AreaLevel.DISTRICT: item.district_code,
        AreaLevel.PROVINCE: item.province_code,
    }
    areas = [(Official.role == Role(level)) & (Official.area_code == code) for level, code in codes.items()]
    if monitors:
        for level, code in codes.items():
            at_level = Official.area_level == level
            if level == AreaLevel.COMMUNE:
                at_level = or_(at_level, Official.area_level.is_(None))
            areas.append((Official.role == Role.MONITOR) & at_level & (Official.area_code == code))
    stmt = select(Official).where(Official.active, or_(Official.role == Role.ADMIN, *areas)).order_by(Official.id)
    return (await session.execute(stmt)).scalars().all()


async def add_official(
    session: AsyncSession,
    channel: str,
    user_id: str,
    role: str,
    area_code: int | None,
    name: str | None,
    email_enc: str | None = None,
    level: str | None = None,
) -> Official:
    if role not in ALL_ROLES:
        raise ValueError(f"role must be one of {ALL_ROLES}")
    if role != Role.ADMIN and area_code is None:
        raise ValueError("an area code is required for every role but the administrator")
    if level is not None and (role != Role.MONITOR or level not in LEVELS):
        raise ValueError(f"a level ({LEVELS}) is given for a monitor only")
    existing = (
        await session.execute(select(Official).where(Official.channel == channel, Official.user_id == user_id))
    ).scalar_one_or_none()
    if existing is None:
        existing = Official(channel=channel, user_id=user_id)
        session.add(existing)
    existing.role, existing.area_code, existing.name, existing.active = role, area_code, name, True
    if email_enc is not None:  # re-adding without --email keeps the address
        existing.email_enc = email_enc
    existing.area_level = (level or AreaLevel.COMMUNE) if role == Role.MONITOR else None
    await session.flush()
    return existing


async def all_officials(session: AsyncSession) -> Sequence[Official]:
    return (await session.execute(select(Official).order_by(Official.id))).scalars().all()


async def with_email(session: AsyncSession) -> Sequence[Official]:
    """The active officials who gave an e-mail address (the daily report's recipients), oldest first."""
    stmt = select(Official).where(Official.active, Official.email_enc.is_not(None)).order_by(Official.id)
    return (await session.execute(stmt)).scalars().all()


async def active_admins(session: AsyncSession) -> Sequence[Official]:
    stmt = select(Official).where(Official.active, Official.role == Role.ADMIN).order_by(Official.id)
    return (await session.execute(stmt)).scalars().all()


def email_of(official: Official, protector: DataProtector) -> str | None:
    return protector.decrypt(official.email_enc, context=EMAIL_CONTEXT) if official.email_enc else None


async def commune_officials(session: AsyncSession, commune_codes: Sequence[int]) -> Sequence[Official]:
    """The active commune officials of these communes (notices that concern the commune itself)."""
    stmt = select(Official).where(
        Official.active, Official.role == Role.COMMUNE, Official.area_code.in_(list(commune_codes))
    )
    return (await session.execute(stmt.order_by(Official.id))).scalars().all()


async def chats_of(session: AsyncSession, officials: Sequence[Official]) -> list[tuple[str, str]]:
    """(channel, chat id) of each official not blocking the bot: a private chat's id is the user's id, and the
    channel user row knows it once the official has written."""
    if not officials:
        return []
    known = {
        (channel, user_id): (chat_id, status)
        for channel, user_id, chat_id, status in await session.execute(
            select(ChannelUser.channel, ChannelUser.user_id, ChannelUser.chat_id, ChannelUser.status).where(
                or_(*((ChannelUser.channel == o.channel) & (ChannelUser.user_id == o.user_id) for o in officials))
            )
        )
    }
    chats = []
    for official in officials:
        chat_id, status = known.get((official.channel, official.user_id), (official.user_id, ChatUserStatus.ACTIVE))
        if status != ChatUserStatus.BLOCKED:
            chats.append((official.channel, chat_id))
    return chats


async def remove_official(session: AsyncSession, channel: str, user_id: str) -> bool:
    """Deactivate an official (the row stays: the audit trail names it); False when none was active."""
    result = await session.execute(
        update(Official)
        .where(Official.channel == channel, Official.user_id == user_id, Official.active.is_(True))
        .values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def active_with_chats(session: AsyncSession) -> Sequence[Row[Official, str, str]]:
    """Every active official (no helper) with their private chat's id and status (None, None: they have not
    written yet)."""
    stmt = (
        select(Official, ChannelUser.chat_id, ChannelUser.status)
        .outerjoin(ChannelUser, and_(ChannelUser.channel == Official.channel, ChannelUser.user_id == Official.user_id))
        .where(Official.active, Official.role.in_(REVIEW_ROLES))
        .order_by(Official.id)
    )
    return (await session.execute(stmt)).all()
