"""One application as a row of the list: the decrypted, formatted cells."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache, lru_cache
from typing import Any

from bot.exchange.columns import CATEGORY_WORDS, FREE_WORKER, HOUSEHOLD, METHOD_WORDS, RESULT_WORDS, SEX_WORDS, _Sheet
from handlers import admin_units, app_code
from handlers.validators import spreadsheet_safe
from messages import fmt, vocabulary
from messages.vocabulary import ApplicationKind, ApplicationStatus, AreaLevel
from storage.applications import birth_date_of, fields_of, phone_of
from storage.crypto import DataProtector
from storage.lists import ListedRow, PaidRow


@cache
def _illegal_characters() -> re.Pattern[str]:
    """The control characters a cell may not hold (openpyxl's): imported on the first list written, not at
    every command's start (openpyxl costs ~190 ms of CPU to import)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def _text(value: str | None) -> str:
    """A text cell: printable, and never read as a formula by a spreadsheet."""
    if not value:
        return ""
    return spreadsheet_safe(_illegal_characters().sub("", value))


def _sex_from_cccd(id_number: str) -> str | None:
    # The 4th digit of a CCCD encodes sex and century: even for men, odd for women.
    if len(id_number) == 12 and id_number.isdigit():
        return "female" if int(id_number[3]) % 2 else "male"
    return None


_Listed = ListedRow  # a row of storage.lists.LISTED: the Application attributes the list shows
_Paid = PaidRow


@lru_cache(maxsize=4096)
def _date_text(value: date) -> str:
    # Babel takes ~20 µs a date and a list repeats a few hundred dates over 100,000 rows.
    return fmt.day(value)


@lru_cache(maxsize=16384)
def _place(commune_code: int) -> str:
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    return commune.full_name if commune else str(commune_code)


def _address(application: _Listed, fields: dict[str, Any]) -> str:
    if application.kind == ApplicationKind.FREE_WORKER:
        detail = fields.get("current_address") if fields.get("same_address") == "no" else fields.get("home_address")
    else:
        detail = fields.get("address")
    place = _place(application.commune_code)
    return f"{detail}, {place}" if detail else place


def _business(application: _Listed, fields: dict[str, Any]) -> str:
    if application.kind == ApplicationKind.FREE_WORKER:
        occupation = fields.get("occupation")
        if occupation == "other":
            occupation = fields.get("occupation_other")
        return str(occupation or "")
    parts = [fields.get("business_name"), fields.get("business_line")]
    return " – ".join(str(p) for p in parts if p)


def _workplace(application: _Listed, fields: dict[str, Any]) -> str | None:
    return fields.get("workplace") if application.kind == FREE_WORKER else None


def _household_field(application: _Listed, fields: dict[str, Any], key: str) -> str | None:
    return fields.get(key) if application.kind == HOUSEHOLD else None


def _note(application: _Listed) -> str:
    parts = []
    if application.duplicate_note:
        parts.append(application.duplicate_note)
    if application.info_request:
        parts.append(f"Cần bổ sung: {application.info_request}")
    return "; ".join(parts)


def _row(
    no: int,
    application: _Listed,
    payment: _Paid | None,
    protector: DataProtector,
    status_labels: Mapping[str, str],
) -> dict[str, Any]:
    id_number = protector.decrypt(application.id_number_enc, context="id_number")
    account = (
        protector.decrypt(application.bank_account_enc, context="bank_account")
        if application.bank_account_enc
        else None
    )
    fields = fields_of(application, protector)
    start, end = application.period_start, application.period_end
    row: dict[str, Any] = {
        "no": no,
        "code": app_code.display(application.code),
        "name": application.full_name,
        "birth_date": birth_date_of(application, protector),
        "sex": SEX_WORDS.get(application.sex or _sex_from_cccd(id_number) or "", ""),
        "id_number": id_number,
        "phone": phone_of(application, protector),
        "address": _address(application, fields),
        "category": CATEGORY_WORDS.get(_household_field(application, fields, "category") or ""),
        "business": _business(application, fields),
        "tax_code": _household_field(application, fields, "tax_code"),
        "workplace": _workplace(application, fields),
        "order": _household_field(application, fields, "order"),
        "period": f"{_date_text(start)} – {_date_text(end)}" if start and end else "",
        "days": (end - start).days + 1 if start and end else None,
        "amount": application.estimated_amount,
        "method": METHOD_WORDS.get(application.payment_method, application.payment_method),
        "bank": application.bank_name if application.payment_method == "bank" else None,
        "account": account,
        "account_holder": application.account_holder if application.payment_method == "bank" else None,
        "status": status_labels[application.status],
        "note": _note(application),
    }
    # What is already decided is filled in, so a list sent again shows it and re-importing it changes nothing.
    if application.status in (ApplicationStatus.APPROVED, ApplicationStatus.PAID):
        row["result"] = RESULT_WORDS[application.status]
        row["decision_number"] = application.decision_number
        row["decision_date"] = application.decision_date
        if payment is not None:
            row["paid_amount"], row["paid_on"] = payment.amount, payment.paid_on
        elif (
            application.status == ApplicationStatus.APPROVED
            and application.approved_amount != application.estimated_amount
        ):
            row["paid_amount"] = application.approved_amount
        row["result_note"] = payment.reference if payment is not None else None
    elif application.status == ApplicationStatus.REJECTED:
        row["result"] = RESULT_WORDS[ApplicationStatus.REJECTED]
        row["result_note"] = application.rejection_reason
    return row


def _build_sheets(
    applications: Sequence[_Listed],
    payments: Mapping[int, _Paid],
    protector: DataProtector,
    kinds: Sequence[str | None],
) -> list[_Sheet]:
    status_labels: dict[str, str] = {s: vocabulary.status_label(s) for s in vocabulary.STATUSES}
    sheets = []
    for sheet_kind in kinds:
        chosen = [a for a in applications if sheet_kind is None or a.kind == sheet_kind]
        rows = [_row(no, a, payments.get(a.id), protector, status_labels) for no, a in enumerate(chosen, start=1)]
        sheets.append(_Sheet(sheet_kind, rows))
    return sheets
