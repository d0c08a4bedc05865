"""`hotro officials add|list|remove`: who may review applications, and for which area."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from bot.cli_words import choices
from bot.config import Settings
from bot.database import open_db
from bot.transport import NEVER_OPENED
from handlers import admin_units
from handlers.review.console_login import new_login_link
from messages.i18n import _
from messages.vocabulary import AREA_CODE_ERRORS, ROLE_LABELS, AreaLevel, Channel, Role
from storage import outbox
from storage.models import Official
from storage.officials import ALL_ROLES, EMAIL_CONTEXT, LEVELS, add_official, all_officials, level_of, remove_official

LEVEL: dict[str, AreaLevel] = {
    Role.COMMUNE: AreaLevel.COMMUNE,
    Role.DISTRICT: AreaLevel.DISTRICT,
    Role.PROVINCE: AreaLevel.PROVINCE,
    Role.HELPER: AreaLevel.COMMUNE,  # a village head or volunteer registers for citizens of one commune
}


def checked_email(address: str) -> str:
    """A work e-mail address in its normalised form, or the command stops with a Vietnamese message."""
    # Here, not at the top: its tables cost ~30 ms of CPU, which every command's start would pay.
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        raise SystemExit(_("{address} is not an e-mail address.").format(address=address)) from None


async def run(settings: Settings, args: argparse.Namespace) -> None:
    email = checked_email(args.email) if getattr(args, "email", None) else None
    # An e-mail address is stored encrypted: only then is the data key needed (and checked).
    async with open_db(settings, key=email is not None) as db, db.sessions.begin() as session:
        if args.action == "add":
            if args.role == Role.ADMIN and args.area is not None:
                # An admin sees every area: an area given with it would be silently meaningless.
                raise SystemExit(
                    _("An administrator is not limited to an area: leave out --area, or choose another --role.")
                )
            if args.level is not None and args.role != Role.MONITOR:
                raise SystemExit(_("--level is for a monitor only (--role monitor)."))
            level = AreaLevel(args.level or AreaLevel.COMMUNE) if args.role == Role.MONITOR else LEVEL.get(args.role)
            unit = admin_units.get(level, args.area) if level is not None and args.area else None
            if args.role != Role.ADMIN and unit is None:
                errors = AREA_CODE_ERRORS[level or AreaLevel.COMMUNE]
                raise SystemExit(_(errors).format(area=args.area if args.area else "–"))
            official = await add_official(
                session,
                args.channel,
                args.user_id,
                args.role,
                args.area,
                args.name,
                db.key.encrypt(email, context=EMAIL_CONTEXT) if email else None,
                level=level if args.role == Role.MONITOR else None,
            )
            print(_("Official {id}: {official}").format(id=official.id, official=describe(official)))
        elif args.action == "login-link":
            found = await session.get(Official, args.official_id)
            if found is None or not found.active:
                raise SystemExit(
                    _("There is no active official with id {id} (see `hotro officials list`).").format(
                        id=args.official_id
                    )
                )
            print(await new_login_link(session, found, settings.public_url, datetime.now(UTC)))
        elif args.action == "remove":
            if not await remove_official(session, args.channel, args.user_id):
                raise SystemExit(
                    _("There is no active official {channel}:{user_id} (see `hotro officials list`).").format(
                        channel=args.channel, user_id=args.user_id
                    )
                )
            print(_("Official {channel}:{user_id} removed.").format(channel=args.channel, user_id=args.user_id))
        else:
            held: dict[str, dict[str, tuple[int, str]]] = {}
            for official in await all_officials(session):
                if official.channel not in held:
                    held[official.channel] = await outbox.held_by_chat(session, official.channel)
                waiting = held[official.channel].get(official.user_id)  # a private chat's id is the user's
                note = f"\t{waiting_note(*waiting)}" if waiting else ""
                if official.email_enc:
                    note += "\t" + _("daily report by e-mail")
                state = _("active") if official.active else _("removed")  # not vocabulary: a msgid
                print(f"{official.id}\t{state}\t{describe(official)}{note}")


def waiting_note(count: int, reason: str) -> str:
    if reason == NEVER_OPENED:
        return _("⚠️ {count} messages waiting: this person has not opened a chat with the bot yet").format(count=count)
    return _("{count} messages waiting until this person writes to the bot").format(count=count)


def describe(official: Official) -> str:
    area = _("all areas")
    level = level_of(official)
    if level is not None and official.area_code is not None:
        unit = admin_units.get(level, official.area_code)
        area = unit.full_name if unit else str(official.area_code)
    name = f" ({official.name})" if official.name else ""
    role = _(ROLE_LABELS[official.role]) if official.role in ROLE_LABELS else official.role
    return f"{official.channel}:{official.user_id}{name} {role} – {area}"


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("officials", help=_("manage officials (add, list, remove, login-link)"))
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help=_("register or update an official"))
    channel_help = _("the channel the official writes to the bot from")
    user_help = _("the official's user id on that channel (Telegram: the numeric user id)")
    add.add_argument("--channel", required=True, choices=choices(Channel), help=channel_help)
    add.add_argument("--user-id", required=True, help=user_help)
    add.add_argument(
        "--role",
        required=True,
        choices=choices(ALL_ROLES),
        help=_(
            "commune, district, province: the officials of that level; admin: the whole system; monitor: the "
            "Fatherland Front's read-only oversight; helper: registers citizens of a commune on their behalf"
        ),
    )
    add.add_argument("--area", type=int, help=_("GSO code of the commune/district/province (not for admin)"))
    add.add_argument("--name", help=_("the official's name, as lists show it"))
    add.add_argument(
        "--level",
        choices=choices(LEVELS),
        help=_("a monitor's level: the --area code is of a commune (default), district or province"),
    )
    add.add_argument("--email", help=_("work e-mail address: the daily report is sent there as an XLSX file"))
    remove = actions.add_parser("remove", help=_("deactivate an official"))
    remove.add_argument("--channel", required=True, help=channel_help)
    remove.add_argument("--user-id", required=True, help=user_help)
    actions.add_parser("list", help=_("list officials"))
    link = actions.add_parser("login-link", help=_("print a one-time link into the web console (valid 10 minutes)"))
    link.add_argument(
        "--official-id", type=int, required=True, help=_("the official's number in `hotro officials list`")
    )
