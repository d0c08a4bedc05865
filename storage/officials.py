"""Officials and the area each may see: commune, district, province, or everything (admin)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Row, and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from messages.vocabulary import Role
from storage.models import Application, ChannelUser, Official

ROLES = tuple(Role)
_AREA_COLUMN: dict[str, InstrumentedAttribute[int]] = {
    Role.COMMUNE: Application.commune_code,
    Role.DISTRICT: Application.district_code,
    Role.PROVINCE: Application.province_code,
}


async def by_id(session: AsyncSession, official_id: int) -> Official | None:
    """The official with this id, active or not (the audit trail names removed ones too)."""
    return await session.get(Official, official_id)


async def get_official(session: AsyncSession, channel: str, user_id: str) -> Official | None:
    stmt = select(Official).where(Official.channel == channel, Official.user_id == user_id, Official.active)
    return (await session.execute(stmt)).scalar_one_or_none()


def scope(official: Official) -> ColumnElement[bool]:
    """SQL condition: the applications this official may see."""
    if official.role == Role.ADMIN:
        return true()
    return _AREA_COLUMN[official.role] == official.area_code


def covers(official: Official, application: Application) -> bool:
    if official.role == Role.ADMIN:
        return True
    areas: dict[str, int] = {
        Role.COMMUNE: application.commune_code,
        Role.DISTRICT: application.district_code,
        Role.PROVINCE: application.province_code,
    }
    return areas[official.role] == official.area_code


async def officials_for(session: AsyncSession, application: Application) -> Sequence[Official]:
    """Every active official whose area covers the application (for notices)."""
    stmt = select(Official).where(
        Official.active,
        or_(
            Official.role == Role.ADMIN,
            (Official.role == Role.COMMUNE) & (Official.area_code == application.commune_code),
            (Official.role == Role.DISTRICT) & (Official.area_code == application.district_code),
            (Official.role == Role.PROVINCE) & (Official.area_code == application.province_code),
        ),
    )
    return (await session.execute(stmt)).scalars().all()


async def add_official(
    session: AsyncSession, channel: str, user_id: str, role: str, area_code: int | None, name: str | None
) -> Official:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if role != Role.ADMIN and area_code is None:
        raise ValueError("an area code is required for commune, district and province officials")
    existing = (
        await session.execute(select(Official).where(Official.channel == channel, Official.user_id == user_id))
    ).scalar_one_or_none()
    if existing is None:
        existing = Official(channel=channel, user_id=user_id)
        session.add(existing)
    existing.role, existing.area_code, existing.name, existing.active = role, area_code, name, True
    await session.flush()
    return existing


async def all_officials(session: AsyncSession) -> Sequence[Official]:
    return (await session.execute(select(Official).order_by(Official.id))).scalars().all()


async def remove_official(session: AsyncSession, channel: str, user_id: str) -> bool:
    """Deactivate an official (the row stays: the audit trail names it); False when none was active."""
    result = await session.execute(
        update(Official)
        .where(Official.channel == channel, Official.user_id == user_id, Official.active.is_(True))
        .values(active=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def active_with_chats(session: AsyncSession) -> Sequence[Row[Official, str, str]]:
    """Every active official with their private chat's id and status (None, None: they have not written yet)."""
    stmt = (
        select(Official, ChannelUser.chat_id, ChannelUser.status)
        .outerjoin(ChannelUser, and_(ChannelUser.channel == Official.channel, ChannelUser.user_id == Official.user_id))
        .where(Official.active)
        .order_by(Official.id)
    )
    return (await session.execute(stmt)).all()
