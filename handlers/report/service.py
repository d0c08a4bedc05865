"""The progress-report service: an area's figures (storage.report_figures) rendered as the officials read them.

Shared by `/baocao` in the chat (handlers/report/chat.py), the daily push and `hotro report` (bot/report_jobs.py).

    area_name(official)                         the area in words
    render_report(data, area_name, today)       the report as chat text
    area_text(session, official, today, now)    both at once, for one official's area
    daily_reports(session, today, now)          one text per active official who can receive it
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import admin_units, app_code
from handlers.turn import MAX_TEXT_CHARS
from messages import fmt
from messages.i18n import N_, _, ngettext
from messages.vocabulary import STATUSES, ChatUserStatus, status_label
from storage.models import Official
from storage.officials import active_with_chats, complaint_scope, level_of, scope
from storage.report_figures import ReportData, area_report

_OVERDUE_KIND = {"review": N_("review"), "payment": N_("payment")}


def area_name(official: Official) -> str:
    """ "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn", or "all areas" for an admin."""
    level = level_of(official)
    if level is None or official.area_code is None:
        return _("All areas")
    unit = admin_units.get(level, official.area_code)
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
    lines += oversight_lines(data)
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT_CHARS else text[: MAX_TEXT_CHARS - 1] + "…"


def oversight_lines(data: ReportData) -> list[str]:
    """Public posting and complaints: the transparency duties (seed 002) next to the applications' figures."""
    lines = [""]
    if data.overdue_posting:
        lines.append(
            "⚠️ "
            + ngettext(
                "Posting overdue (not posted within 5 days of the decision): {n} decision",
                "Posting overdue (not posted within 5 days of the decision): {n} decisions",
                data.overdue_posting,
            ).format(n=fmt.number(data.overdue_posting))
        )
    else:
        lines.append(_("✅ Every decision was posted publicly in time."))
    lines.append(_("Open complaints: {n}").format(n=fmt.number(data.complaints_open)))
    if data.overdue_complaint_ack or data.overdue_complaint_answer:
        lines.append(
            "⚠️ "
            + _("Complaints overdue: not acknowledged {ack}, not answered {answer}").format(
                ack=fmt.number(data.overdue_complaint_ack), answer=fmt.number(data.overdue_complaint_answer)
            )
        )
    return lines


async def area_text(session: AsyncSession, official: Official, today: date, now: datetime) -> str:
    """The report of this official's area, rendered."""
    data = await area_report(session, scope(official), today, now, complaint_scope(official))
    return render_report(data, area_name(official), today)


@dataclass(frozen=True)
class DailyReport:
    official: Official
    chat_id: str  # where it goes: the official's private chat
    text: str


async def daily_reports(session: AsyncSession, today: date, now: datetime) -> list[DailyReport]:
    """Today's report for every active official who has not blocked the bot; officials of the same area
    share one computation."""
    texts: dict[tuple[str, int | None], str] = {}
    out = []
    for official, chat_id, user_status in await active_with_chats(session):
        if user_status == ChatUserStatus.BLOCKED:
            continue  # the official blocked the bot: sending would only fail
        key = (str(level_of(official)), official.area_code)  # a monitor's level, not its role, names the area
        if key not in texts:
            texts[key] = await area_text(session, official, today, now)
        # A private chat's id is the user's id; the channel user row knows it once the official has written.
        out.append(DailyReport(official, chat_id or official.user_id, texts[key]))
    return out
