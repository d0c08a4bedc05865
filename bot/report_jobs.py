"""The daily progress report: pushed to every official once a day, and `hotro report` to a file.

Several bot processes may run the scheduler. The day is claimed in job_runs with a conditional
UPDATE, in the same transaction that writes the reports to the outbox: exactly one process's
UPDATE changes the row, and a crash before the commit leaves the day unclaimed and nothing queued,
so the next check (in any process) sends it. Nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import email_report
from bot.app import HoTro
from bot.cli_words import choices
from bot.config import Settings
from bot.database import open_db
from bot.officials_cli import checked_email
from handlers import admin_units
from handlers.report import service
from handlers.report.chat import REPORT_ACTION
from handlers.turn import Button, Reply
from messages import fmt
from messages.i18n import _
from messages.vocabulary import AREA_CODE_ERRORS, REVIEW_ROLES, AreaLevel, Role
from storage import jobs, officials, outbox
from storage.crypto import DataProtector
from storage.models import Official

log = logging.getLogger(__name__)

JOB_NAME = "daily_report"
CHECK_INTERVAL = 30.0  # seconds between clock checks


def _utcnow() -> datetime:
    return datetime.now(UTC)


def report_time(settings: Settings) -> time:
    hours, minutes = settings.daily_report_time.split(":")
    return time(int(hours), int(minutes))


async def _claim_day(session: AsyncSession, today: date, now: datetime, job: str = JOB_NAME) -> bool:
    """True when this transaction took `today` for the job (the daily report; no other process has)."""
    return await jobs.claim_day(session, job, today, now)


def _is_report(payload: dict[str, Any]) -> bool:
    return any(button.get("action") == REPORT_ACTION for row in payload.get("buttons") or [] for button in row)


async def _supersede_waiting_reports(
    session: AsyncSession, channel: str, chat_id: str, today: date, protector: DataProtector
) -> None:
    """An earlier day's report still waiting for this official (held: they never opened the bot, or are
    outside Zalo's window) is replaced by today's: they get one current report, not a pile of old ones."""
    payloads = await outbox.held_payloads(session, channel, chat_id, protector)
    stale = [row_id for row_id, payload in payloads if isinstance(payload, dict) and _is_report(payload)]
    await outbox.mark_failed(session, stale, f"superseded by the report of {today.isoformat()}")


async def send_daily_reports(app: HoTro, today: date, now: datetime) -> int:
    """Queue each active official's area report once for `today`; returns how many were queued (0 if done)."""
    async with app.sessions() as session:
        if await jobs.day_done(session, JOB_NAME, today):
            return 0
    async with app.sessions.begin() as session:
        if not await _claim_day(session, today, now):
            return 0
        # The reports are computed inside the claim's transaction, so the figures queued and the claim commit
        # together. On PostgreSQL this holds only the job_runs row (other schedulers wait, chats do not).
        queued = 0
        for daily in await service.daily_reports(session, today, now):
            official, chat = daily.official, daily.chat_id
            reply = Reply(daily.text, [[Button(_("🔄 Refresh"), REPORT_ACTION)]])
            await _supersede_waiting_reports(session, official.channel, chat, today, app.protector)
            await outbox.enqueue(session, official.channel, chat, reply.to_payload(), now, app.protector)
            queued += 1
    app.sender.wake()
    log.info("daily report for %s queued for %d officials", today, queued)
    return queued


async def run_scheduler(
    app: HoTro,
    stop: asyncio.Event,
    clock: Callable[[], datetime] = _utcnow,
    interval: float = CHECK_INTERVAL,
) -> None:
    """Background task: sends the daily report once the local time passes settings.daily_report_time.

    A process started after that time sends the day's report at once if no process has yet.
    """
    at = report_time(app.settings)
    done: date | None = None  # remembered so that the database is not asked every 30 s once sent
    while not stop.is_set():
        now = clock()
        local = fmt.local(now)
        if local.time() >= at and done != local.date():
            try:
                await send_daily_reports(app, local.date(), now)
                done = local.date()
            except Exception:  # a database hiccup must not end the loop; the next check retries
                log.exception("daily report failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


async def write_report(settings: Settings, args: argparse.Namespace) -> None:
    """`hotro report`: one area's report (default: all areas) written to a UTF-8 text file and/or sent at once by
    e-mail as the daily XLSX."""
    if not (args.out or args.email):
        raise SystemExit(_("Say where the report goes: --out FILE, --email ADDRESS, or both."))
    if args.email:
        args.email = checked_email(args.email)
    report: email_report.Report | None = None
    now = datetime.now(UTC)
    today = args.date or fmt.today_local(now)
    async with open_db(settings) as db, db.sessions() as session:
        if args.official_id is not None:
            official = await officials.by_id(session, args.official_id)
            if official is None or official.role not in REVIEW_ROLES:  # a helper has no report
                raise SystemExit(
                    _("There is no official with id {id} (see `hotro officials list`).").format(id=args.official_id)
                )
        elif args.area_role is not None:
            if args.area is None or admin_units.get(args.area_role, args.area) is None:
                raise SystemExit(_(AREA_CODE_ERRORS[args.area_role]).format(area=args.area if args.area else "–"))
            official = Official(role=args.area_role, area_code=args.area)  # transient: only names the area
        elif args.area is not None:
            raise SystemExit(_("--area needs --area-role (commune, district or province)."))
        else:
            official = Official(role=Role.ADMIN, area_code=None)
        text = await service.area_text(session, official, today, now)
        if args.email:
            report = await email_report.build_report(session, official, today, now)
    if args.out:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
        print(_("The report for {date} is written to {path}.").format(date=fmt.day(today), path=path.resolve()))
    if report is not None:
        try:
            message = email_report.compose(settings, args.email, report)
        except email_report.NotConfigured:
            raise SystemExit(
                _("No e-mail server is configured: set HOTRO_SMTP_HOST and HOTRO_REPORT_EMAIL_FROM.")
            ) from None
        error = await email_report.send(settings, message)
        if error is not None:
            raise SystemExit(_("The report could not be sent by e-mail: {error}").format(error=error))
        print(
            _("The report for {date} is sent by e-mail to {address}.").format(date=fmt.day(today), address=args.email)
        )


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("report", help=_("write the progress report of an area to a text file, or e-mail it"))
    parser.set_defaults(func=write_report)
    area = parser.add_mutually_exclusive_group()
    area.add_argument("--official-id", type=int, help=_("the area of this official (see `hotro officials list`)"))
    area.add_argument(
        "--area-role",
        choices=choices(reversed(AreaLevel)),
        help=_("the level of --area"),
    )
    parser.add_argument("--area", type=int, help=_("GSO code of the commune/district/province (with --area-role)"))
    parser.add_argument(
        "--date", type=date.fromisoformat, help=_("the report's day, YYYY-MM-DD (default: today, Vietnam time)")
    )
    parser.add_argument("--out", help=_("the text file to write (UTF-8)"))
    parser.add_argument("--email", help=_("send the report now to this e-mail address, as the daily XLSX"))
