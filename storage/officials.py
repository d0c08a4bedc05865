"""Officials and the area each may see: commune, district, province, or everything (admin).

A monitor (the Fatherland Front's representative, MTTQ) sees one area at its level (area_level) and
changes nothing: every state-changing service asks may_change() first."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Application, Complaint, Official

MONITOR = "monitor"
ROLES = ("commune", "district", "province", "admin", MONITOR)
LEVELS = ("commune", "district", "province")
_AREA_COLUMN = {
    "commune": Application.commune_code,
    "district": Application.district_code,
    "province": Application.province_code,
}
_COMPLAINT_AREA_COLUMN = {
    "commune": Complaint.commune_code,
    "district": Complaint.district_code,
    "province": Complaint.province_code,
}


def level_of(official: Official) -> str | None:
    """The administrative level of the official's area (None for an admin, who sees everything)."""
    if official.role == "admin":
        return None
    if official.role == MONITOR:
        return official.area_level or "commune"
    return official.role


def is_monitor(official: Official) -> bool:
    return official.role == MONITOR


def may_change(official: Official) -> bool:
    """Whether the official may change anything (a monitor may only look)."""
    return official.active and official.role != MONITOR


async def get_official(session: AsyncSession, channel: str, user_id: str) -> Official | None:
    stmt = select(Official).where(Official.channel == channel, Official.user_id == user_id, Official.active)
    return (await session.execute(stmt)).scalar_one_or_none()


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
    area = {"commune": item.commune_code, "district": item.district_code, "province": item.province_code}[level]
    return area == official.area_code


async def officials_for(
    session: AsyncSession, item: Application | Complaint, *, monitors: bool = False
) -> Sequence[Official]:
    """Every active official whose area covers the application or complaint (for notices); with
    monitors=True the area's monitors too."""
    areas = [
        (Official.role == "commune") & (Official.area_code == item.commune_code),
        (Official.role == "district") & (Official.area_code == item.district_code),
        (Official.role == "province") & (Official.area_code == item.province_code),
    ]
    if monitors:
        for level, code in (
            ("commune", item.commune_code),
            ("district", item.district_code),
            ("province", item.province_code),
        ):
            at_level = Official.area_level == level
            if level == "commune":
                at_level = or_(at_level, Official.area_level.is_(None))
            areas.append((Official.role == MONITOR) & at_level & (Official.area_code == code))
    stmt = select(Official).where(Official.active, or_(Official.role == "admin", *areas)).order_by(Official.id)
    return (await session.execute(stmt)).scalars().all()


async def add_official(
    session: AsyncSession,
    channel: str,
    user_id: str,
    role: str,
    area_code: int | None,
    name: str | None,
    level: str | None = None,
) -> Official:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if role != "admin" and area_code is None:
        raise ValueError("an area code is required for commune, district, province officials and monitors")
    if level is not None and (role != MONITOR or level not in LEVELS):
        raise ValueError(f"a level ({LEVELS}) is given for a monitor only")
    existing = (
        await session.execute(select(Official).where(Official.channel == channel, Official.user_id == user_id))
    ).scalar_one_or_none()
    if existing is None:
        existing = Official(channel=channel, user_id=user_id)
        session.add(existing)
    existing.role, existing.area_code, existing.name, existing.active = role, area_code, name, True
    existing.area_level = (level or "commune") if role == MONITOR else None
    await session.flush()
    return existing


async def all_officials(session: AsyncSession) -> Sequence[Official]:
    return (await session.execute(select(Official).order_by(Official.id))).scalars().all()
