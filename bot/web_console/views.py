"""What the application page shows: every field with its label, decrypted for the official."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers import admin_units, app_code, forms
from handlers.apply import chat as intake
from handlers.review import service as review
from messages import fmt, vocabulary
from messages.i18n import _
from messages.vocabulary import KIND_LABELS, ApplicationKind, AreaLevel
from storage import deadlines
from storage.crypto import DataProtector
from storage.models import Application

FORM_IDS: dict[str, str] = {ApplicationKind.HOUSEHOLD_BUSINESS: "hkd", ApplicationKind.FREE_WORKER: "ldtd"}
ID_KINDS = {"cccd": "CCCD", "cmnd": "CMND"}


@dataclass(frozen=True)
class Item:
    label: str
    value: str
    warn: bool = False
    links: tuple[tuple[str, str], ...] = ()  # (label, path): the applications the value names


# An application code as the notes write it ("HK-7QX4-M9P7").
_DISPLAY_CODE = re.compile(r"\b[A-Z]{2}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def _code_links(text: str) -> tuple[tuple[str, str], ...]:
    """A link to each application a note names, to compare it (the page refuses one outside the area)."""
    codes = dict.fromkeys(app_code.normalize(m[0]) for m in _DISPLAY_CODE.finditer(text))
    return tuple(
        (_("Open {code}").format(code=app_code.display(c)), f"/canbo/ho-so/{c}") for c in codes if app_code.is_valid(c)
    )


def _place(code: int) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, code)
    return unit.full_name if unit else str(code)


def form_items(kind: str, fields: dict[str, Any]) -> list[Item]:
    """The form's own answers with the labels the citizen saw (as the officials' chat screens show them)."""
    form = intake.FORMS.get(FORM_IDS.get(kind, ""))
    if form is None:
        return [Item(key, str(value)) for key, value in fields.items() if value]
    items = []
    for form_field in form.fields:
        value = fields.get(form_field.key)
        if value in (None, "", "other") or form_field.kind == "photo" or form_field.key == "place":
            continue
        if form_field.kind == "unit" and not isinstance(value, dict):
            continue
        items.append(Item(_(form_field.label), forms.display_value(form_field, fields)))
    return items


def details(application: Application, protector: DataProtector, today: date, *, masked: bool = False) -> list[Item]:
    """masked (for a monitor, as the chat shows them): the ID number masked, the phone as stored (masked),
    no bank account."""
    person = review.shown_person(application, protector, masked=masked)
    id_number, account, phone, born = person.id_number, person.account, person.phone, person.born
    items = [
        Item(_("Application code"), app_code.display(application.code)),
        Item(_("Kind"), _(KIND_LABELS.get(application.kind, application.kind))),
        Item(_("Status"), vocabulary.status_label(application.status)),
        Item(_("Submitted"), fmt.moment(application.submitted_at)),
        Item(_("Full name"), application.full_name),
        Item(_("Date of birth"), fmt.day(born) if born else "–"),
        Item(_("ID document"), f"{ID_KINDS.get(application.id_kind, application.id_kind)} {id_number}"),
        Item(_("Phone number"), phone),
        Item(_("Area"), _place(application.commune_code)),
    ]
    if application.sex in ("male", "female"):
        items.append(Item(_("Sex"), intake.show_sex(application.sex, {})))
    items += form_items(application.kind, person.fields)
    if application.period_start and application.period_end:
        items.append(Item(_("Period"), f"{fmt.day(application.period_start)} – {fmt.day(application.period_end)}"))
    if application.payment_method == "bank":
        items.append(
            Item(
                _("Payment"),
                _("Bank: {bank}, account {account}, holder {holder}").format(
                    bank=application.bank_name, account=account, holder=application.account_holder
                ),
            )
        )
    else:
        items.append(Item(_("Payment"), _("cash at the commune")))
    if application.estimated_amount:
        items.append(Item(_("Requested amount"), fmt.vnd(application.estimated_amount)))
    if application.duplicate_note:
        items.append(
            Item(
                _("Possible duplicate"),
                application.duplicate_note,
                warn=True,
                links=_code_links(application.duplicate_note),
            )
        )
    if application.info_request:
        items.append(Item(_("Open question"), application.info_request, warn=True))
    if application.decision_number and application.decision_date:
        items.append(Item(_("Decision"), f"{application.decision_number} – {fmt.day(application.decision_date)}"))
    if application.approved_amount:
        items.append(Item(_("Approved amount"), fmt.vnd(application.approved_amount)))
    if application.rejection_reason:
        items.append(Item(_("Reason for rejection"), application.rejection_reason))
    late = deadlines.overdue(application, today)
    if late == "review":
        due = deadlines.review_due(application)
        items.append(Item(_("Deadline"), _("Review overdue (due {date})").format(date=fmt.day(due)), warn=True))
    elif late == "payment":
        pay_due = deadlines.payment_due(application)
        items.append(
            Item(
                _("Deadline"),
                _("Payment overdue (due {date})").format(date=fmt.day(pay_due) if pay_due else "–"),
                warn=True,
            )
        )
    return items
