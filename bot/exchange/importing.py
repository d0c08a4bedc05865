"""import_file(): parse the district's answers, plan every change, apply them all or none (handlers.review.service)."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.exchange.columns import (
    _RESULT_BY_ALIAS,
    COLUMN,
    EARLIEST_DECISION,
    MAX_DECISION_NUMBER_CHARS,
    MAX_NOTE_CHARS,
    MAX_REFERENCE_CHARS,
    RESULT_WORDS,
    _header_key,
)
from bot.exchange.reading import _file_bytes, read_tables
from handlers import app_code
from handlers.review import lifecycle, reasons
from handlers.review import service as review
from handlers.review.lifecycle import PaymentInfo
from handlers.validators import Invalid, Valid, money_vnd, parse_date
from messages import fmt, vocabulary
from messages.i18n import _
from messages.normalize import fold
from messages.vocabulary import ApplicationStatus
from storage import lists, lookups
from storage.crypto import DataProtector
from storage.models import Application, Official


@dataclass
class ImportReport:
    applied: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULT_WORDS, 0))
    errors: list[tuple[int, str]] = field(default_factory=list)
    unchanged: int = 0  # rows that repeat what is already recorded
    skipped: int = 0  # rows without a result
    notices: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Decision:
    line: int
    label: str  # the sheet prefix for messages ("" for a single table)
    code: str
    result: str
    decision_number: str | None
    decision_date: date | None
    amount: int | None
    paid_on: date | None
    note: str | None


def _get(values: Sequence[Any], index: int | None) -> Any:
    return values[index] if index is not None and index < len(values) else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFC", str(value))
    return " ".join(text.split())


def _amount(value: Any) -> int | None:
    """3000000, 3000000.0, "3.000.000", "3,000,000", "3 000 000 đ" -> 3000000; None when not a whole amount."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    amount = money_vnd(_cell_text(value))
    return amount.value if isinstance(amount, Valid) else None


def _day(value: Any, latest: date) -> date | str:
    """A date cell or dd/mm/yyyy text; an error message (str) when it is not a date in range."""
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel  # loaded by reading the file already (bot.exchange.reading)

        try:
            value = from_excel(value).date()  # a date typed into a cell formatted as a number
        except (ValueError, OverflowError, TypeError):
            value = _cell_text(value)
    if isinstance(value, date):
        value = fmt.day(value)  # one range check and one set of messages for cells and text alike
    result = parse_date(_cell_text(value), earliest=EARLIEST_DECISION, latest=latest)
    return result.message if isinstance(result, Invalid) else result.value


def _parse_row(
    line: int, label: str, values: Sequence[Any], columns: dict[str, int], today: date
) -> tuple[_Decision | None, list[str]]:
    def cell(key: str) -> Any:
        return _get(values, columns.get(key))

    raw_result = _cell_text(cell("result"))
    raw_code = _cell_text(cell("code"))
    filled = [k for k in ("decision_number", "decision_date", "paid_amount", "paid_on") if _cell_text(cell(k))]
    if not raw_result:
        if filled and raw_code:
            return None, [_("The result is empty but the decision or payment columns are filled in.")]
        return None, []  # not decided yet, or a title, total or signature line
    problems: list[str] = []
    result = _RESULT_BY_ALIAS.get(_header_key(raw_result))
    if result is None:
        problems.append(_("Unknown result “{value}”: write Phê duyệt, Từ chối or Đã chi trả.").format(value=raw_result))
    code = app_code.normalize(raw_code)
    if not raw_code:
        problems.append(_("The application code is missing."))
    elif not app_code.is_valid(code):
        problems.append(_("“{code}” is not a valid application code (check it for a typo).").format(code=raw_code))
    number = _cell_text(cell("decision_number")) or None
    if number and len(number) > MAX_DECISION_NUMBER_CHARS:
        problems.append(
            _("The decision number is too long (at most {max} characters).").format(max=MAX_DECISION_NUMBER_CHARS)
        )
    dates: dict[str, date | None] = {}
    for key in ("decision_date", "paid_on"):
        dates[key] = None
        if _cell_text(cell(key)):
            parsed = _day(cell(key), today)
            if isinstance(parsed, str):
                problems.append(f"{COLUMN[key].header}: {parsed}")
            else:
                dates[key] = parsed
    amount = None
    if _cell_text(cell("paid_amount")):
        amount = _amount(cell("paid_amount"))
        if amount is None or amount <= 0:
            problems.append(
                _("The amount “{value}” is not a whole number of đồng (e.g. 3.000.000).").format(
                    value=_cell_text(cell("paid_amount"))
                )
            )
            amount = None
    note = _cell_text(cell("result_note")) or None
    if note and len(note) > MAX_NOTE_CHARS:
        problems.append(_("The note is too long (at most {max} characters).").format(max=MAX_NOTE_CHARS))
    # What each result needs whatever the application's state (a paid row's approval is checked in _plan).
    if result == ApplicationStatus.APPROVED and not (number and _cell_text(cell("decision_date"))):
        problems.append(_("Approval needs the decision number and the decision date."))
    if result == ApplicationStatus.REJECTED and not note:
        problems.append(
            _("A rejection needs its reason in the column “{column}”.").format(column=COLUMN["result_note"].header)
        )
    elif result == ApplicationStatus.REJECTED and note and isinstance(reasons.typed_reason(note), Invalid):
        problems.append(
            _(
                "Please state the reason of the rejection in full (at least {words} words, e.g. which condition "
                "is not met): the citizen reads it and may object to it."
            ).format(words=reasons.MIN_WORDS)
        )
    if result == ApplicationStatus.PAID and not (_cell_text(cell("paid_amount")) and _cell_text(cell("paid_on"))):
        problems.append(_("A payment needs the amount paid and the payment date."))
    if problems or result is None:
        return None, problems
    return (
        _Decision(line, label, code, result, number, dates["decision_date"], amount, dates["paid_on"], note),
        [],
    )


@dataclass
class _Step:
    to_status: str
    kwargs: dict[str, Any]


def _same_number(a: str | None, b: str | None) -> bool:
    """ "123/QĐ-UBND" and "123/qđ-ubnd " are the same decision."""
    return re.sub(r"\s+", "", fold(a or "")) == re.sub(r"\s+", "", fold(b or ""))


def _plan(d: _Decision, application: Application) -> tuple[list[_Step], list[str]]:
    """The lifecycle steps a row asks for (empty when already recorded), or why it cannot be applied."""
    code = app_code.display(d.code)
    status = application.status

    def not_allowed() -> list[str]:
        return [
            _("Application {code} is “{status}” and cannot be changed to “{result}”.").format(
                code=code, status=vocabulary.status_label(status), result=RESULT_WORDS[d.result]
            )
        ]

    def other_decision() -> list[str]:
        if not d.decision_number or _same_number(d.decision_number, application.decision_number):
            return []
        return [
            _(
                "Application {code} was already approved by decision {recorded}; this line gives decision {given}."
            ).format(code=code, recorded=application.decision_number, given=d.decision_number)
        ]

    submitted_on = lifecycle.filed_on(application)
    if d.decision_date is not None and submitted_on is not None and d.decision_date < submitted_on:
        # A decision cannot approve an application that did not exist yet: a typo in the date.
        return [], [
            _(
                "Application {code}: the decision date {decided} is before the application was submitted ({submitted})."
            ).format(code=code, decided=fmt.day(d.decision_date), submitted=fmt.day(submitted_on))
        ]

    def approval() -> _Step:
        approving = d.result == ApplicationStatus.APPROVED  # on a paid row, the amount and note belong to the payment
        return _Step(
            ApplicationStatus.APPROVED,
            {
                "decision_number": d.decision_number,
                "decision_date": d.decision_date,
                "amount": d.amount if approving else None,
                "note": d.note if approving else None,
            },
        )

    if d.result == ApplicationStatus.REJECTED:
        if status == ApplicationStatus.REJECTED:
            return [], []
        if not lifecycle.can_move(application, ApplicationStatus.REJECTED):
            return [], not_allowed()
        return [_Step(ApplicationStatus.REJECTED, {"note": d.note})], []

    if d.result == ApplicationStatus.APPROVED:
        if status in (ApplicationStatus.APPROVED, ApplicationStatus.PAID):
            return [], other_decision()
        if not lifecycle.can_move(application, ApplicationStatus.APPROVED):
            return [], not_allowed()
        return [approval()], []

    # paid
    if status == ApplicationStatus.PAID:
        return [], []
    steps: list[_Step] = []
    problems: list[str] = []
    decided_on = application.decision_date
    approved_amount = application.approved_amount
    if status != ApplicationStatus.APPROVED:
        if not lifecycle.can_move(application, ApplicationStatus.APPROVED):
            return [], not_allowed()
        if not (d.decision_number and d.decision_date):
            problems.append(
                _(
                    "Application {code} has not been approved yet: to record the approval and the payment together, "
                    "also fill in the decision number and the decision date."
                ).format(code=code)
            )
        else:
            steps = [approval()]
            decided_on, approved_amount = d.decision_date, application.estimated_amount
    else:
        problems.extend(other_decision())
    if d.paid_on and decided_on and d.paid_on < decided_on:
        problems.append(
            _("The payment date {paid} is before the decision date {decided}.").format(
                paid=fmt.day(d.paid_on), decided=fmt.day(decided_on)
            )
        )
    if d.amount and approved_amount and d.amount > approved_amount:
        problems.append(
            _("The amount paid {amount} is more than the approved amount {approved}.").format(
                amount=fmt.vnd(d.amount), approved=fmt.vnd(approved_amount)
            )
        )
    if problems:
        return [], problems
    assert d.amount is not None and d.paid_on is not None
    payment = PaymentInfo(
        amount=d.amount,
        paid_on=d.paid_on,
        method=application.payment_method,
        reference=d.note[:MAX_REFERENCE_CHARS] if d.note else None,
    )
    return [*steps, _Step(ApplicationStatus.PAID, {"payment": payment, "note": d.note})], []


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    *,
    official: Official | None,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> ImportReport:
    """Check every row of the district's file; apply them all in one transaction only if all are good.

    With ``official``, every application must be in that official's area. Raises ExchangeError for a
    file that cannot be read at all.
    """
    path = Path(path)
    data = _file_bytes(path)  # read once: the tables and the audited digest come from the same bytes
    tables = read_tables(path, data)
    today = fmt.today_local(now)
    report = ImportReport()
    problems: list[tuple[int, int, str]] = []  # (table, line, message): sorted for the official at the end

    def problem(table_no: int, line: int, label: str, message: str) -> None:
        problems.append((table_no, line, _prefixed(label, message)))

    decisions: list[tuple[int, _Decision]] = []
    first_line: dict[str, tuple[str, int]] = {}
    for table_no, table in enumerate(tables):
        label = table.sheet if len(tables) > 1 and table.sheet else ""
        for line, values in table.rows:
            decision, row_problems = _parse_row(line, label, values, table.columns, today)
            code = app_code.normalize(_cell_text(_get(values, table.columns["code"])))
            if decision is None and not row_problems:
                report.skipped += bool(code)  # no result yet (title, total and signature lines have no code)
                continue
            if app_code.is_valid(code):
                if code in first_line:
                    first_label, first = first_line[code]
                    where = _prefixed(first_label, str(first)) if first_label != label else str(first)
                    message = _("Application {code} appears twice in the file (first on line {first}).")
                    row_problems.append(message.format(code=app_code.display(code), first=where))
                else:
                    first_line[code] = (label, line)
            for message in row_problems:
                problem(table_no, line, label, message)
            if decision is not None and not row_problems:
                decisions.append((table_no, decision))

    # One transaction, committed by the context manager only when every row applied: a problem returns
    # before anything is written, and an error rolls everything back.
    async with sessions.begin() as session:
        notices = review.OutboxQueue(session, now, protector)
        found = await lists.locked_by_codes(session, (d.code for _n, d in decisions))
        plans: list[tuple[_Decision, list[_Step]]] = []
        for table_no, d in decisions:
            application = found.get(d.code)
            code = app_code.display(d.code)
            if application is None:
                problem(table_no, d.line, d.label, _("There is no application {code}.").format(code=code))
            elif official is not None and not review.may_act(official, application):
                problem(table_no, d.line, d.label, _("Application {code} is not in your area.").format(code=code))
            else:
                steps, plan_problems = _plan(d, application)
                for message in plan_problems:
                    problem(table_no, d.line, d.label, message)
                plans.append((d, steps))
        if problems:
            report.errors = [(line, message) for _n, line, message in sorted(problems, key=lambda p: p[:2])]
            return report
        for d, steps in plans:
            if not steps:
                report.unchanged += 1
                continue
            for step in steps:
                # Checked above, so TransitionError here would be a bug: it propagates and rolls back everything.
                await review.change(
                    session,
                    found[d.code],
                    step.to_status,
                    notices,
                    actor=actor,
                    now=now,
                    protector=notices.protector,
                    **step.kwargs,
                )
            report.applied[d.result] += 1
        report.notices = notices.count
        detail = {
            "sha256": hashlib.sha256(data).hexdigest(),  # which file, without its content
            **report.applied,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
        }
        lookups.audit(session, actor, "import", now, detail=json.dumps(detail))
    return report


def _prefixed(label: str, problem: str) -> str:
    return _("sheet “{sheet}”: {problem}").format(sheet=label, problem=problem) if label else problem
