"""`hotro export` and `hotro import`: the command line around the service (opens the database, prints)."""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli_words import choices
from bot.config import Settings
from bot.database import open_db
from bot.exchange.columns import FORMATS, KINDS, ExchangeError
from bot.exchange.export import AREA_ROLES, export_applications
from bot.exchange.importing import ImportReport, import_file
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.vocabulary import ApplicationStatus
from storage import actors, officials
from storage.crypto import DecryptionError
from storage.models import Official
from storage.officials import may_change


async def _official(sessions: async_sessionmaker[AsyncSession], official_id: int) -> Official:
    async with sessions() as session:
        official = await officials.by_id(session, official_id)
    if official is None or not officials.reviews(official):  # a helper exports and imports nothing
        raise ExchangeError(_("There is no active official with id {id}.").format(id=official_id))
    if not may_change(official):
        raise ExchangeError(
            _(
                "Official {id} is a monitor: monitors neither import nor export the lists with personal data "
                "(the posting list, `hotro posting`, has the ID numbers masked)."
            ).format(id=official_id)
        )
    return official


def _official_id(args: argparse.Namespace) -> int | None:
    if args.official_id is not None:
        return int(args.official_id)
    if args.actor:
        return actors.official_id(args.actor.strip())
    return None


async def run_export(settings: Settings, args: argparse.Namespace) -> None:
    try:
        async with open_db(settings, key=True) as db:
            protector, sessions = db.key, db.sessions
            official_id = _official_id(args)
            if official_id is not None:
                official = await _official(sessions, official_id)
                if args.area_role or args.area is not None:
                    raise ExchangeError(_("Give either --official-id or --area-role and --area, not both."))
                role, area, actor = official.role, official.area_code, actors.official(official.id)
            else:
                if not args.area_role:
                    raise ExchangeError(_("Give --area-role and --area, or --official-id."))
                role, area = args.area_role, args.area
                actor = args.actor or actors.command_line(getpass.getuser())
            out = Path(args.out)
            suffix = out.suffix.lower().lstrip(".")
            if suffix not in FORMATS or (args.format and args.format != suffix):
                raise ExchangeError(
                    _(
                        "The list can only be written as .xlsx or .csv, and the file name must end the same: {path}."
                    ).format(path=out.name)
                )
            file_format = suffix
            count = await export_applications(
                sessions,
                protector,
                role=role,
                area=area,
                statuses=args.status,
                kind=args.kind,
                out=out,
                fmt=file_format,
                actor=actor,
                today=fmt.today_local(),
            )
    except ExchangeError as exc:
        raise SystemExit(str(exc)) from None
    except DecryptionError:
        raise SystemExit(
            _(
                "Cannot decrypt the stored ID numbers or bank accounts: the data key (HOTRO_DATA_KEY) is not the one "
                "they were encrypted with."
            )
        ) from None
    print(_("Exported {rows} applications to {path}.").format(rows=count, path=out))
    print(_("The file contains ID numbers and bank accounts: keep it safe and delete it when no longer needed."))


def summary(report: ImportReport) -> list[str]:
    applied = sum(report.applied.values())
    lines = [_("Applied {rows} lines:").format(rows=applied)]
    for result, label in (
        (ApplicationStatus.APPROVED, N_("approved: {count}")),
        (ApplicationStatus.REJECTED, N_("rejected: {count}")),
        (ApplicationStatus.PAID, N_("paid: {count}")),
    ):
        lines.append("  • " + _(label).format(count=report.applied[result]))
    if report.unchanged:
        lines.append("  • " + _("already recorded (unchanged): {count}").format(count=report.unchanged))
    if report.skipped:
        lines.append("  • " + _("without a result (skipped): {count}").format(count=report.skipped))
    lines.append(_("Notices queued for citizens: {count}").format(count=report.notices))
    return lines


def problem_lines(report: ImportReport) -> list[str]:
    return [_("line {line}: {problem}").format(line=line, problem=problem) for line, problem in report.errors]


async def run_import(settings: Settings, args: argparse.Namespace) -> None:
    official_id = _official_id(args)
    if official_id is None:
        raise SystemExit(_("Give --official-id N or --actor official:N: every change is recorded under an official."))
    try:
        async with open_db(settings, key=True) as db:
            official = await _official(db.sessions, official_id)
            report = await import_file(
                db.sessions,
                Path(args.file),
                official=official,
                actor=actors.official(official.id),
                now=datetime.now(UTC),
                protector=db.key,
            )
    except ExchangeError as exc:
        raise SystemExit(str(exc)) from None

    if not report.ok:
        for line in problem_lines(report):
            print(line)
        raise SystemExit(
            _("The file has {count} problems; nothing was imported. Correct them and import the file again.").format(
                count=len(report.errors)
            )
        )
    if not sum(report.applied.values()) and not report.unchanged:
        print(_("No line has a result to import."))
        return
    for line in summary(report):
        print(line)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export", help=_("write an area's applications as the list sent to the district (XLSX/CSV)")
    )
    export.add_argument("--area-role", choices=choices(AREA_ROLES), help=_("the level of --area (admin: every area)"))
    export.add_argument("--area", type=int, help=_("GSO code of the commune, district or province"))
    export.add_argument("--official-id", type=int, help=_("take the role and area from this registered official"))
    export.add_argument(
        "--status",
        action="append",
        choices=choices(vocabulary.STATUSES),
        help=_("only this status (repeatable; default: all but withdrawn)"),
    )
    export.add_argument("--kind", choices=choices(KINDS), help=_("only this kind (default: one sheet per kind)"))
    export.add_argument("--out", required=True, help=_("the file to write (.xlsx or .csv)"))
    export.add_argument("--format", choices=FORMATS, help=_("default: from the file name"))
    export.add_argument("--actor", help=_("who exports, for the audit log (default: cli:<user>)"))
    export.set_defaults(func=run_export)

    imp = sub.add_parser("import", help=_("apply the district's decisions and payments from an exported list"))
    imp.add_argument("file", help=_("the .xlsx or .csv file the district sent back"))
    imp.add_argument("--official-id", type=int, help=_("the registered official who imports (limits it to their area)"))
    imp.add_argument("--actor", help=_('the same as --official-id, written "official:<id>"'))
    imp.set_defaults(func=run_import)
