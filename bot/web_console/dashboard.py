"""The overview's figures, computed at most once a minute per area and process.

They are the daily report's aggregates (storage.report_figures.area_report) and the last 14 days, over every
application of the area: on a million rows a province's figures take seconds of SQL, far beyond what an
overview page may cost each time it is opened. So each process keeps the figures of an area for
FRESH_FOR and the page says when they were computed ("Số liệu lúc …"); "Cập nhật" recomputes at
once. Concurrent views of an expired area wait for one computation instead of starting several.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage import console as queries
from storage.console import DayFigures
from storage.models import Official
from storage.officials import level_of, scope
from storage.report_figures import DueSoon, ReportData, area_report, due_soon_report

FRESH_FOR = timedelta(seconds=60)
MAX_AREAS = 2048  # areas kept (a commune, district or province each); the oldest are dropped beyond it


@dataclass(frozen=True)
class Figures:
    data: ReportData
    series: list[DayFigures]
    due_soon: DueSoon
    computed_at: datetime


class FigureCache:
    def __init__(self, fresh_for: timedelta = FRESH_FOR) -> None:
        self.fresh_for = fresh_for
        self._figures: dict[tuple[str, int | None, date], Figures] = {}
        self._locks: dict[tuple[str, int | None, date], asyncio.Lock] = {}

    async def get(
        self,
        session: AsyncSession,
        official: Official,
        today: date,
        now: datetime,
        *,
        due_within: int,
        refresh: bool = False,
    ) -> Figures:
        # By the scope's level, not the role: a district monitor and a commune monitor may share a code.
        key = (str(level_of(official) or "all"), official.area_code, today)
        cached = self._figures.get(key)
        if cached is not None and not refresh and now - cached.computed_at < self.fresh_for:
            return cached
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._figures.get(key)
            if cached is not None and now - cached.computed_at < self.fresh_for and not refresh:
                return cached  # computed by the view that held the lock
            condition = scope(official)
            figures = Figures(
                await area_report(session, condition, today, now),
                await queries.daily_series(session, condition, today),
                await due_soon_report(session, condition, today, due_within),
                now,
            )
            self._figures[key] = figures
            while len(self._figures) > MAX_AREAS:
                self._figures.pop(next(iter(self._figures)))
            return figures
