"""`hotro posting`: the list a commune posts publicly (niêm yết công khai), as PDF, HTML or XLSX.

`--posted-on DATE` also records the day the decision(s) in the list were posted at the commune, which
the 5-day posting deadline (seed 002, III.5) and the citizen's status read.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Settings
from bot.datakey import open_database
from handlers import admin_units
from handlers.posting import files as posting_files
from handlers.posting import service as posting
from messages import fmt
from messages.i18n import _
from messages.vocabulary import AreaLevel
from storage import actors
from storage.db import session_factory


async def run(settings: Settings, args: argparse.Namespace) -> None:
    out = Path(args.out)
    suffix = out.suffix.lower().lstrip(".")
    if suffix not in (*posting_files.FORMATS, "htm"):
        raise SystemExit(
            _("The posting list can be written as .pdf, .html or .xlsx; the file name must end so: {path}.").format(
                path=out.name
            )
        )
    if admin_units.get(AreaLevel.COMMUNE, args.area) is None:
        raise SystemExit(_("--area {area} is not the GSO code of a commune.").format(area=args.area))
    if (args.date_from is None) != (args.date_to is None):
        raise SystemExit(_("Give both --from and --to, or neither."))
    if args.date_from is not None and args.date_from > args.date_to:
        raise SystemExit(_("--from must not be after --to."))
    if suffix == "pdf":
        try:
            posting_files.font_path(settings.pdf_font)
        except posting_files.FontMissing as error:
            raise SystemExit(str(error)) from error
    db, protector = await open_database(settings)
    now = datetime.now(UTC)
    today = fmt.today_local(now)
    try:
        async with session_factory(db).begin() as session:
            listed = await posting.build(
                session,
                protector,
                args.area,
                today=today,
                decision_number=args.decision,
                date_from=args.date_from,
                date_to=args.date_to,
            )
            if not listed.rows:
                raise SystemExit(_("No approved application matches: nothing to post."))
            if args.posted_on is not None:
                for group in listed.decisions:
                    await posting.record_posting(
                        session,
                        commune_code=args.area,
                        decision_number=group.decision_number,
                        posted_on=args.posted_on,
                        actor=actors.command_line(getpass.getuser()),
                        now=now,
                    )
    finally:
        await db.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    posting_files.write(listed, out, settings.pdf_font)
    print(
        _("The posting list of {commune} ({people} people, {decisions} decision(s)) is written to {path}.").format(
            commune=listed.commune_name, people=len(listed.rows), decisions=len(listed.decisions), path=out.resolve()
        )
    )
    if args.posted_on is not None:
        print(_("Posting recorded on {date}.").format(date=fmt.day(args.posted_on)))


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("posting", help=_("write the public posting list of a commune (PDF, HTML or XLSX)"))
    parser.set_defaults(func=run)
    parser.add_argument("--area", type=int, required=True, help=_("GSO code of the commune"))
    parser.add_argument("--decision", help=_("only this decision number (e.g. 1234/QĐ-UBND)"))
    parser.add_argument(
        "--from", dest="date_from", type=date.fromisoformat, help=_("decisions from this date, YYYY-MM-DD")
    )
    parser.add_argument(
        "--to", dest="date_to", type=date.fromisoformat, help=_("decisions up to this date, YYYY-MM-DD")
    )
    parser.add_argument(
        "--posted-on",
        type=date.fromisoformat,
        help=_("record that the decision(s) were posted at the commune on this date, YYYY-MM-DD"),
    )
    parser.add_argument("--out", required=True, help=_("the file to write: .pdf (A4), .html or .xlsx"))
