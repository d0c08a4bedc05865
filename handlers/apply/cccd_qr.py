"""The text of the QR code on a chip-based citizen ID card (CCCD), parsed and checked.

The code holds UTF-8 text whose fields are separated by ``|``: the CCCD number, the old CMND number
(may be empty), the full name, the birth date as ddmmyyyy, the sex (Nam/Nữ), the permanent address
and the issue date as ddmmyyyy. Some cards carry one field fewer (most often no old-number field), so
the fields are recognised by what they hold, not by their position: the first 12-digit field is the
CCCD number, a later 9- or 12-digit one the old number, "Nam"/"Nữ" the sex, a ddmmyyyy date before
the sex the birth date and one after it the issue date, the first text before the birth date the name and the
first text after the sex the address.

Everything read is checked with the rules a typed answer meets (handlers/validators.py): the ID
number's province code and its sex and century digit against the birth date and sex on the card.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from handlers import validators
from handlers.validators import Invalid, Result, Sex, Valid
from messages.i18n import _

MAX_QR_CHARS = 1000  # a card's code holds about 150 characters; anything far longer is not one
_DATE = re.compile(r"(\d{2})(\d{2})(\d{4})")


@dataclass(frozen=True, slots=True)
class CardData:
    id_number: str  # 12 digits, checked
    full_name: str  # title-cased: "NGUYỄN VĂN AN" -> "Nguyễn Văn An"
    birth_date: date
    sex: Sex
    old_id: str | None = None
    address: str | None = None  # the permanent address as printed: "Thôn Đồng Tâm, Xã Nhật Tiến, …"
    issue_date: date | None = None

    @property
    def masked_id(self) -> str:
        return "*" * (len(self.id_number) - 4) + self.id_number[-4:]


def _date(text: str) -> date | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _kind(field: str) -> str:
    if not field:
        return "empty"
    if field.isascii() and field.isdigit():
        if len(field) == 8 and _date(field) is not None:
            return "date"
        if len(field) in (9, 12):
            return "id"
        return "number"
    if validators.sex(field).ok and len(field) <= 5:
        return "sex"
    return "text"


def _not_a_card() -> Invalid:
    return Invalid(
        _(
            "The photo has a QR code, but it is not the code of a citizen ID card (CCCD). Please send a photo "
            "of the QR code on your CCCD, or type your answer."
        ),
        "qr_not_cccd",
    )


def parse(raw: str, today: date) -> Result[CardData]:
    """The card's data, or Invalid with a message saying what is wrong (the citizen then types)."""
    text = unicodedata.normalize("NFC", raw).strip()
    if "|" not in text or len(text) > MAX_QR_CHARS:
        return _not_a_card()
    fields = [" ".join(part.split()) for part in text.split("|")]
    kinds = [_kind(f) for f in fields]
    ids = [i for i, k in enumerate(kinds) if k == "id"]
    dates = [i for i, k in enumerate(kinds) if k == "date"]
    sexes = [i for i, k in enumerate(kinds) if k == "sex"]
    texts = [i for i, k in enumerate(kinds) if k == "text"]
    cccd = next((i for i in ids if len(fields[i]) == 12), None)
    if cccd is None or not sexes or not texts:
        return _not_a_card()
    sex_at = sexes[0]
    born_at = next((i for i in dates if i < sex_at), None)  # the birth date comes before the sex
    if born_at is None:
        eight = next((i for i in range(sex_at) if len(fields[i]) == 8 and fields[i].isdigit()), None)
        return _not_a_card() if eight is None else _bad_field(_("the date of birth"), fields[eight])
    name_at = next((i for i in texts if i < born_at), texts[0])
    old_at = next((i for i in ids if i > cccd and i < born_at), None)
    address_at = next((i for i in texts if i > sex_at and i != name_at), None)
    issued_at = next((i for i in dates if i > sex_at), None)

    name = validators.person_name(fields[name_at])
    if isinstance(name, Invalid):
        return _bad_field(_("the name"), fields[name_at])
    sex = validators.sex(fields[sex_at])
    assert isinstance(sex, Valid)  # _kind() put it there
    born = _date(fields[born_at])
    assert born is not None
    if born > today:
        return _bad_field(_("the date of birth"), fields[born_at])
    issued = _date(fields[issued_at]) if issued_at is not None else None
    if issued is not None and not born < issued <= today:
        return _bad_field(_("the date of issue"), fields[issued_at or 0])
    number = validators.id_number(fields[cccd], birth_date=born, sex=sex.value, today=today)
    if isinstance(number, Invalid):
        return Invalid(
            _("The QR code was read, but the ID number in it does not pass the check: {reason}").format(
                reason=number.message
            ),
            f"qr_{number.code}",
        )
    address = fields[address_at] if address_at is not None else None
    if address is not None and isinstance(validators.clean_text(address, max_len=300), Invalid):
        address = None
    return Valid(
        CardData(
            id_number=number.value.digits,
            full_name=name.value,
            birth_date=born,
            sex=sex.value,
            old_id=fields[old_at] if old_at is not None else None,
            address=address,
            issue_date=issued,
        )
    )


def _bad_field(what: str, value: str) -> Invalid:
    return Invalid(
        _("The QR code was read, but {what} in it (“{value}”) does not look right. Please type your answer.").format(
            what=what, value=value[:40]
        ),
        "qr_bad_field",
    )
