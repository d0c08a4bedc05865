"""What the digits of a CCCD number mean, when a question asks about them (policy-facts §9).

TT 07/2016/TT-BCA: digits 1-3 are the code of the province where the birth was registered,
digit 4 is sex and century of birth (0/1: male/female born 1900-1999, 2/3: 2000-2099),
digits 5-6 the last two digits of the birth year.
"""

from __future__ import annotations

import re

from handlers.admin_units import get as get_unit
from handlers.validators import CCCD_PROVINCES
from messages.i18n import _
from messages.normalize import fold, nfc
from messages.vocabulary import AreaLevel

_CODE = re.compile(r"(?<!\d)(0\d{2})(?!\d)")
_FOURTH = re.compile(r"\b(so|chu so|ky tu|con so)\s+(thu\s+)?(4|tu|bon)\b\D{0,20}?(\d)(?!\d)")
_CENTURY = {0: (1900, 1999), 1: (1900, 1999), 2: (2000, 2099), 3: (2000, 2099)}


def explain(question: str) -> list[str]:
    """Lines explaining the CCCD digits the question names (none when it names none)."""
    key = fold(nfc(question))
    lines: list[str] = []
    if m := _FOURTH.search(key):
        digit = int(m.group(4))
        if digit in _CENTURY:
            first, last = _CENTURY[digit]
            sex = _("male") if digit % 2 == 0 else _("female")
            lines.append(
                _("The 4th digit {digit} means: {sex}, born between {first} and {last}.").format(
                    digit=digit, sex=sex, first=first, last=last
                )
            )
    else:
        for m in _CODE.finditer(key):
            code = int(m.group(1))
            unit = get_unit(AreaLevel.PROVINCE, code) if code in CCCD_PROVINCES else None
            if unit is not None:
                lines.append(
                    _("Code {code} in the first 3 digits is {province} (where the birth was registered).").format(
                        code=m.group(1), province=unit.name
                    )
                )
                break
    return lines
