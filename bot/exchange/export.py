"""export_applications(): the area's list, queried, written to a private file and audited."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.exchange.columns import (
    ALL_AREAS,
    DEFAULT_STATUSES,
    DISTRICT_NOTE,
    FORMATS,
    KINDS,
    LEGAL_BASIS,
    TITLES,
    ExchangeError,
    _Sheet,
)
from bot.exchange.rows import _build_sheets
from bot.exchange.writing import _csv_bytes, _xlsx_bytes
from handlers import admin_units
from messages import fmt, vocabulary
from messages.i18n import _
from messages.vocabulary import AREA_CODE_ERRORS, Role
from storage import lists, lookups
from storage.crypto import DataProtector
from storage.officials import LEVELS

AREA_ROLES = (*LEVELS, Role.ADMIN)  # the levels a list is made for (a monitor's role is no level)


def area_label(role: str, area: int | None) -> str:
    if role == Role.ADMIN or area is None:
        return ALL_AREAS
    unit = admin_units.get(role, area)
    return unit.full_name if unit else str(area)


def check_area(role: str, area: int | None) -> None:
    if role not in AREA_ROLES:
        raise ExchangeError(_("Unknown role {role}.").format(role=role))
    if role == Role.ADMIN:
        if area is not None:  # an administrator's list is every area: an area given with it would be ignored
            raise ExchangeError(_("--area-role admin covers every area: leave out --area, or give another role."))
        return
    if area is None:
        raise ExchangeError(_("--area is required unless --area-role is admin."))
    if admin_units.get(role, area) is None:
        raise ExchangeError(_(AREA_CODE_ERRORS[role]).format(area=area))


async def _load_sheets(
    session: AsyncSession,
    protector: DataProtector,
    *,
    role: str,
    area: int | None,
    statuses: Sequence[str],
    kind: str | None,
    split_kinds: bool,
) -> list[_Sheet]:
    applications, payments = await lists.area_list(session, role=role, area=area, statuses=statuses, kind=kind)
    kinds: list[str | None] = list(KINDS) if split_kinds else [kind]
    # Decrypting and formatting ~100,000 rows is seconds of pure CPU: a worker thread keeps the event loop free.
    return await asyncio.to_thread(_build_sheets, applications, payments, protector, kinds)


def _title_lines(kind: str | None, role: str, area: int | None, statuses: Sequence[str], today: date) -> list[str]:
    dated = f"Ngày lập danh sách: {fmt.day(today)}"
    if tuple(statuses) != DEFAULT_STATUSES:
        dated += " · Trạng thái hồ sơ: " + ", ".join(vocabulary.status_label(s) for s in statuses)
    return [TITLES[kind], area_label(role, area), LEGAL_BASIS, dated, DISTRICT_NOTE]


def _private_tmp(out: Path) -> tuple[Path, int]:
    """A temporary file next to ``out``, readable by its owner only: the export holds ID numbers."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return tmp, fd


async def export_applications(
    sessions: async_sessionmaker[AsyncSession],
    protector: DataProtector,
    *,
    role: str,
    area: int | None,
    statuses: Sequence[str] | None = None,
    kind: str | None = None,
    out: Path,
    fmt: str = "xlsx",
    actor: str,
    today: date,
) -> int:
    """Write the area's list to ``out`` and audit the export; returns the number of applications.

    Without ``kind`` an XLSX has one sheet per kind (the two are separate forms); a CSV is one list.
    The file appears only once the audit row is committed, so no export goes unrecorded.
    """
    check_area(role, area)
    chosen = tuple(statuses) if statuses else DEFAULT_STATUSES
    unknown = [s for s in chosen if s not in vocabulary.STATUSES]
    if unknown:
        raise ExchangeError(_("Unknown status: {statuses}.").format(statuses=", ".join(unknown)))
    if kind is not None and kind not in KINDS:
        raise ExchangeError(_("Unknown kind {kind}.").format(kind=kind))
    if fmt not in FORMATS:
        raise ExchangeError(_("The format must be xlsx or csv."))
    out = Path(out)
    tmp: Path | None = None
    try:
        async with sessions.begin() as session:
            sheets = await _load_sheets(
                session,
                protector,
                role=role,
                area=area,
                statuses=chosen,
                kind=kind,
                split_kinds=kind is None and fmt == "xlsx",
            )
            pages = [(sheet, _title_lines(sheet.kind, role, area, chosen, today)) for sheet in sheets]
            # Seconds of pure CPU for a large list: in a worker thread, so the bot keeps answering meanwhile.
            if fmt == "xlsx":
                data = await asyncio.to_thread(_xlsx_bytes, pages)
            else:
                data = await asyncio.to_thread(_csv_bytes, *pages[0])
            count = sum(len(s.rows) for s in sheets)
            tmp, fd = _private_tmp(out)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            detail = {
                "area": f"{role}:{area}" if role != Role.ADMIN else Role.ADMIN,
                "statuses": list(chosen),
                "kind": kind,
                "format": fmt,
                "rows": count,
            }
            lookups.audit(session, actor, "export", datetime.now(UTC), detail=json.dumps(detail))
        os.replace(tmp, out)  # only after the audit row is committed
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return count
