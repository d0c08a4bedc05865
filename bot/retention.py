"""The daily purge (storage/retention.py) in every serving process, once a day across them, and `hotro purge`.

The day is claimed in job_runs in the purge's own transaction, as the daily report claims its day
(bot/report_jobs.py): one process purges, a crash before the commit leaves the day to the next check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from bot.app import HoTro
from bot.config import Settings
from bot.database import open_db
from bot.report_jobs import _claim_day
from handlers.attempts import FAILURE_WINDOW
from messages import fmt
from messages.i18n import _
from storage.retention import Purged, purge

log = logging.getLogger(__name__)

JOB_NAME = "retention_purge"
CHECK_INTERVAL = 600.0  # seconds between checks whether today's purge has run


def periods(settings: Settings) -> dict[str, timedelta]:
    return {
        "abandoned_after": timedelta(days=settings.abandoned_form_days),
        "delivered_after": timedelta(days=settings.delivered_message_days),
        "lookup_window": FAILURE_WINDOW,
    }


async def purge_today(app: HoTro, today: date, now: datetime) -> Purged | None:
    """Purge once for `today`; None when another process (or an earlier check) already has."""
    async with app.sessions.begin() as session:
        if not await _claim_day(session, today, now, JOB_NAME):
            return None
        purged = await purge(session, now, **periods(app.settings))
    log.info("retention: %d abandoned forms erased, %d sent messages deleted", purged.forms, purged.messages)
    return purged


async def run_retention(
    app: HoTro,
    stop: asyncio.Event,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    interval: float = CHECK_INTERVAL,
) -> None:
    done: date | None = None
    while not stop.is_set():
        now = clock()
        today = fmt.local(now).date()
        if done != today:
            try:
                await purge_today(app, today, now)
                done = today
            except Exception:  # a database hiccup must not end the loop; the next check retries
                log.exception("retention purge failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def run_purge(settings: Settings, args: argparse.Namespace) -> None:
    """`hotro purge`: the same purge, now (it does not claim the day: the scheduler still runs)."""
    async with open_db(settings) as db, db.sessions.begin() as session:
        purged = await purge(session, datetime.now(UTC), **periods(settings))
    print(
        _(
            "Erased {forms} unfinished forms older than {form_days} days and deleted {messages} sent messages "
            "older than {message_days} days."
        ).format(
            forms=purged.forms,
            form_days=settings.abandoned_form_days,
            messages=purged.messages,
            message_days=settings.delivered_message_days,
        )
    )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "purge", help=_("erase the unfinished forms and the sent messages past their retention period")
    )
    parser.set_defaults(func=run_purge)
