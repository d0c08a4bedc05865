"""The officials' progress report: `/baocao` in the chat, the daily push, `hotro report`.

The district asks every commune for a progress report each day before 15:00; this renders the
figures of storage.reports for the official's own area as one chat message.
"""

from __future__ import annotations

from datetime import date

from handlers import admin_units, app_code
from handlers.menu import back_to_menu_button
from handlers.router import Router
from handlers.turn import MAX_TEXT_CHARS, Button, Turn
from messages import fmt
from messages.i18n import N_, _, ngettext
from messages.vocabulary import STATUSES, Role, status_label
from storage.models import Official
from storage.officials import get_official, scope
from storage.reports import ReportData, area_report

# The officials' menu entry (the lead adds it to their menu); the action is registered below.
REPORT_LABEL = N_("📊 Progress report")
REPORT_ACTION = "report"

_OVERDUE_KIND = {"review": N_("review"), "payment": N_("payment")}


def area_name(official: Official) -> str:
    """ "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn", or "all areas" for an admin."""
    if official.role == Role.ADMIN or official.area_code is None:
        return _("All areas")
    unit = admin_units.get(official.role, official.area_code)
    return unit.full_name if unit else _("area {code}").format(code=official.area_code)


def _applications(n: int) -> str:
    return ngettext("{n} application", "{n} applications", n).format(n=fmt.number(n))


def render_report(data: ReportData, area_name: str, today: date) -> str:
    """The report as Vietnamese chat text (well under Telegram's 4096 characters)."""
    as_of = fmt.local(data.now)
    # Same day: the time is enough; a report for another day (`hotro report --date`) says when it was made.
    as_of_text = as_of.strftime("%H:%M") if as_of.date() == today else fmt.moment(data.now)
    lines = [
        _("PROGRESS REPORT ON SUPPORT UNDER RESOLUTION 68 – {area} – {date} (data as of {time})").format(
            area=area_name, date=fmt.day(today), time=as_of_text
        ),
        "",
        _("Applications in total: {total} (new today: {new})").format(
            total=fmt.number(data.total), new=fmt.number(data.new_today)
        ),
    ]
    lines += [f"• {status_label(status)}: {fmt.number(data.counts.get(status, 0))}" for status in STATUSES]
    lines += [
        "",
        _("Amount approved: {amount}").format(amount=fmt.vnd(data.approved_amount)),
        _("Amount paid: {amount}").format(amount=fmt.vnd(data.paid_amount)),
        _("Paid today: {amount} ({applications})").format(
            amount=fmt.vnd(data.paid_today_amount), applications=_applications(data.paid_today_count)
        ),
        "",
    ]
    if not (data.overdue_review or data.overdue_payment):
        lines.append(_("✅ No application is overdue."))
    else:
        lines += [
            "⚠️ "
            + _("Review overdue (over 3 working days): {applications}").format(
                applications=_applications(data.overdue_review)
            ),
            "⚠️ "
            + _("Payment overdue (over 7 days after approval): {applications}").format(
                applications=_applications(data.overdue_payment)
            ),
            _("Most overdue:"),
        ]
        lines += [
            _("• {code} – {kind} due {date}").format(
                code=app_code.display(item.code), kind=_(_OVERDUE_KIND[item.kind]), date=fmt.day(item.due)
            )
            for item in data.oldest_overdue
        ]
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


async def report_command(turn: Turn) -> None:
    """`/baocao` or the menu button: the report for the official's area; citizens are told it is not for them."""
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        turn.say(
            _(
                "Sorry, the progress report is only for officials who handle the support applications. "
                "Type /menu to go back to the main menu."
            ),
            [back_to_menu_button()],
        )
        return
    today = fmt.today_local(turn.now)
    data = await area_report(turn.session, scope(official), today, turn.now)
    # The state is left alone: a form in progress continues after the report.
    turn.say(
        render_report(data, area_name(official), today),
        [[Button(_("🔄 Refresh"), REPORT_ACTION)], back_to_menu_button()],
    )


def register(router: Router) -> None:
    router.command("/baocao", "/report")(report_command)
    router.action(REPORT_ACTION)(report_command)
