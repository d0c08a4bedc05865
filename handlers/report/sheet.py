"""The daily report as an upward report spreadsheet (XLSX): a row per commune, a column per status and the amounts.

A commune official's sheet has their one commune; a district's, every commune of the district; a province's,
every commune of the province (communes without applications show zeros, as a report to the level above
does); an administrator's, every commune with applications. The last row holds the totals.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime

from handlers import admin_units
from messages import fmt
from messages.i18n import _
from messages.vocabulary import STATUSES, AreaLevel, Role, status_label
from storage.models import Official
from storage.report_figures import CommuneRow

SHEET_NAME = "BaoCao"  # Excel allows 31 characters and no diacritics trouble in formulas
FIRST_DATA_ROW = 5  # title, area, as-of, blank, then the header on row 5
MONEY_FORMAT = '#,##0" ₫"'


def communes_of(official: Official, found: Iterable[int]) -> list[int]:
    """The communes of the official's area, in the order of the administrative lists."""
    if official.role == Role.COMMUNE and official.area_code is not None:
        return [official.area_code]
    if official.role == Role.DISTRICT and official.area_code is not None:
        listed = [unit.code for unit in admin_units.communes(official.area_code)]
    elif official.role == Role.PROVINCE and official.area_code is not None:
        listed = [
            unit.code
            for district in admin_units.districts(official.area_code)
            for unit in admin_units.communes(district.code)
        ]
    else:
        listed = []
    extra = sorted(set(found) - set(listed))  # communes the lists no longer name (e.g. merged ones)
    return listed + extra


def headers() -> list[str]:
    return [
        _("Row number"),
        _("Commune, ward or town"),
        _("District or town"),
        *(status_label(status) for status in STATUSES),
        _("Total applications"),
        _("Amount approved (₫)"),
        _("Amount paid (₫)"),
        _("Payment received (citizens' confirmations)"),
        _("Payment not received (citizens' reports)"),
    ]


def _names(commune_code: int, district_code: int | None) -> tuple[str, str]:
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    district_code = district_code if district_code is not None else commune.parent_code if commune else None
    district = admin_units.get(AreaLevel.DISTRICT, district_code) if district_code is not None else None
    return (commune.name if commune else str(commune_code), district.name if district else "")


def build(official: Official, rows: dict[int, CommuneRow], area: str, today: date, now: datetime) -> bytes:
    """The workbook's bytes."""
    # Here, not at the top: openpyxl costs ~190 ms of CPU to import (with numpy and lxml), which every command's
    # start would pay (bot.app.settle_heap loads it for a server).
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = SHEET_NAME
    sheet.append([_("PROGRESS REPORT ON SUPPORT UNDER RESOLUTION 68 – {date}").format(date=fmt.day(today))])
    sheet.append([area])
    sheet.append([_("Data as of {moment}").format(moment=fmt.moment(now))])
    sheet.append([])
    header = headers()
    sheet.append(header)
    for cell in sheet[FIRST_DATA_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=13)
    codes = communes_of(official, rows)
    totals = [0] * (len(header) - 3)
    for number, code in enumerate(codes, start=1):
        line = rows.get(code) or CommuneRow(code, 0, dict.fromkeys(STATUSES, 0))
        commune, district = _names(code, line.district_code or None)
        figures = [
            *(line.counts.get(status, 0) for status in STATUSES),
            line.total,
            line.approved_amount,
            line.paid_amount,
            line.confirmed,
            line.denied,
        ]
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        sheet.append([number, commune, district, *figures])
    # Values, not formulas: a reader that does not recalculate (or a script) sees the same totals.
    sheet.append(["", _("Total"), "", *totals])
    last = FIRST_DATA_ROW + len(codes) + 1
    for cell in sheet[last]:
        cell.font = Font(bold=True)
    money = (len(header) - 3, len(header) - 2)  # the approved and paid amounts
    for number in range(FIRST_DATA_ROW + 1, last + 1):
        for column in money:
            sheet.cell(number, column).number_format = MONEY_FORMAT
    sheet.column_dimensions["B"].width = 26
    sheet.column_dimensions["C"].width = 22
    for column in range(4, len(header) + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = f"D{FIRST_DATA_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
