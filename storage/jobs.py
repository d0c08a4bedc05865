"""Scheduled jobs' days (job_runs): which process runs a daily job, exactly once per day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import JobRun
from storage.sql import insert_ignore


async def claim_day(session: AsyncSession, job: str, today: date, now: datetime) -> bool:
    """True when this transaction took `today` for the job (no other process has)."""
    await session.execute(insert_ignore(session, JobRun, {"name": job, "updated_at": now}, ["name"]))
    # On PostgreSQL a concurrent UPDATE waits for our row lock, then re-checks the WHERE and finds the day taken.
    result = await session.execute(
        update(JobRun)
        .where(JobRun.name == job, or_(JobRun.last_run_on.is_(None), JobRun.last_run_on < today))
        .values(last_run_on=today, updated_at=now)
    )
    rowcount: int = result.rowcount  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
    return rowcount == 1


async def day_done(session: AsyncSession, job: str, today: date) -> bool:
    last = (await session.execute(select(JobRun.last_run_on).where(JobRun.name == job))).scalar_one_or_none()
    return last is not None and last >= today
