"""The list as bytes: XLSX (the form communes send up) or CSV with a BOM."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from bot.exchange.columns import DATA_SHEET_ROW, HEADER_ROW, RESULT_WORDS, SHEET_NAMES, _Sheet, _total, sheet_columns
from bot.exchange.rows import _date_text, _text

# openpyxl is imported where an XLSX is written: ~190 ms of CPU (with numpy and lxml) that a CSV export, and the
# start of every command (bot.cli imports this module through bot.exchange), need not pay.
if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Border, Font, PatternFill
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet


class _Styles(NamedTuple):
    border: Border
    header_fill: PatternFill
    district_fill: PatternFill
    title_fonts: tuple[Font, ...]
    bold: Font
    italic: Font


@cache
def _styles() -> _Styles:
    from openpyxl.styles import Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return _Styles(
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        header_fill=PatternFill("solid", fgColor="D9E1F2"),
        district_fill=PatternFill("solid", fgColor="FFF2CC"),
        title_fonts=(Font(bold=True, size=14), Font(bold=True, size=12), Font(italic=True), Font(), Font(italic=True)),
        bold=Font(bold=True),
        italic=Font(italic=True),
    )


_WRAPPED = ("address", "business", "workplace", "order", "note")
_SIGNATURES = {3: ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), 9: ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")}


def _cell(ws: WriteOnlyWorksheet, value: Any = None, **style: Any) -> Cell:
    """A write-only cell styled through openpyxl's descriptors (None: not set): for the cells outside the data."""
    from openpyxl.cell.cell import WriteOnlyCell

    cell = WriteOnlyCell(ws)
    for name, setting in style.items():
        if setting is not None:
            setattr(cell, name, setting)
    cell.value = value  # after the number format, so a date keeps it
    return cell


def _write_sheet(ws: WriteOnlyWorksheet, sheet: _Sheet, lines: list[str]) -> None:
    """Stream one sheet: write-only mode writes each row as it is appended, so everything that goes before
    the rows in the XML (column widths, row heights, frozen panes, sheet properties) is set first."""
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

    styles = _styles()
    sheet_cols = sheet_columns(sheet.kind)
    keys = tuple(c.key for c in sheet_cols)
    width = len(sheet_cols)
    last_col = get_column_letter(width)
    last_data = HEADER_ROW + len(sheet.rows)
    total_row = last_data + 1
    amount_col = keys.index("amount") + 1

    # A write-only sheet gets these attributes from Worksheet._setup(); types-openpyxl declares them on
    # Worksheet only.
    layout = cast(Worksheet, ws)
    for col_no, column in enumerate(sheet_cols, start=1):
        layout.column_dimensions[get_column_letter(col_no)].width = column.width
    layout.row_dimensions[5].height = 32
    layout.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = f"D{DATA_SHEET_ROW}"  # header rows and STT / code / name stay in view
    fit = layout.sheet_properties.pageSetUpPr
    assert fit is not None  # WorksheetProperties() creates its PageSetupProperties
    fit.fitToPage = True
    layout.page_setup.orientation = "landscape"
    layout.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    layout.page_setup.fitToWidth = 1
    layout.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    layout.auto_filter.ref = f"A{HEADER_ROW}:{last_col}{max(last_data, HEADER_ROW)}"
    for row_no in range(1, len(lines) + 1):
        layout.merged_cells.add(f"A{row_no}:{last_col}{row_no}")
    layout.merged_cells.add(f"A{total_row}:{get_column_letter(amount_col - 1)}{total_row}")
    result_col = get_column_letter(keys.index("result") + 1)
    choices = DataValidation(
        type="list",
        formula1='"' + ",".join(RESULT_WORDS.values()) + '"',
        allow_blank=True,
        errorStyle="warning",  # a warning only: the import also understands other spellings
    )
    choices.add(f"{result_col}{DATA_SHEET_ROW}:{result_col}{max(last_data, DATA_SHEET_ROW) + 200}")
    layout.data_validations.append(choices)

    for row_no, (line, font) in enumerate(zip(lines, styles.title_fonts, strict=True), start=1):
        alignment = Alignment(horizontal="left" if row_no == 5 else "center", wrap_text=True)
        ws.append([_cell(ws, _text(line), font=font, alignment=alignment)])
    ws.append([])
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append(
        [
            _cell(
                ws,
                column.header_for(sheet.kind),
                font=styles.bold,
                alignment=header_alignment,
                fill=styles.district_fill if column.district else styles.header_fill,
                border=styles.border,
            )
            for column in sheet_cols
        ]
    )

    # Styling each cell through openpyxl's descriptors hashes style objects per cell (about 1.5 ms a row);
    # one styled prototype per column and its style array given to each cell is ~10x faster.
    prototypes = [
        _cell(
            ws,
            border=styles.border,
            alignment=Alignment(vertical="top", wrap_text=column.key in _WRAPPED),
            number_format=column.number_format,
            fill=styles.district_fill if column.district else None,
        )._style  # type: ignore[attr-defined]  # a StyleableObject slot the stubs leave undeclared
        for column in sheet_cols
    ]
    columns = tuple(zip(keys, prototypes, strict=True))
    for data in sheet.rows:
        cells = []
        for key, style in columns:
            value = data.get(key)
            cell = WriteOnlyCell(ws)
            # Shared, not copied: a write-only cell is written when appended and never changed. Set before the
            # value, so a date keeps the column's format instead of openpyxl setting its default per cell.
            cell._style = style  # type: ignore[attr-defined]  # see the prototypes above
            if value is not None:  # a new cell is empty already
                cell.value = _text(value) if isinstance(value, str) else value
            cells.append(cell)
        ws.append(cells)

    label = f"Tổng cộng: {len(sheet.rows)} hồ sơ"
    totals = [_cell(ws, border=styles.border) for _ in sheet_cols]
    totals[0] = _cell(ws, label, font=styles.bold, alignment=Alignment(horizontal="center"), border=styles.border)
    totals[amount_col - 1] = _cell(
        ws, _total(sheet.rows), font=styles.bold, number_format="#,##0", border=styles.border
    )
    ws.append(totals)
    ws.append([])
    for sign_line, font in enumerate((styles.bold, styles.italic)):  # the signer's title, then the hint under it
        signs = [
            _cell(ws, _SIGNATURES[n][sign_line], font=font) if n in _SIGNATURES else None for n in range(1, width + 1)
        ]
        ws.append(signs)


def _xlsx_bytes(pages: Sequence[tuple[_Sheet, list[str]]]) -> bytes:
    # Write-only: rows stream out as XML instead of ~2.3 million cell objects kept until the save (~1 GiB).
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for sheet, lines in pages:
        _write_sheet(wb.create_sheet(SHEET_NAMES.get(sheet.kind or "", "Danh sách")), sheet, lines)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return _date_text(value)
    if isinstance(value, str):
        return _text(value)
    return str(value)


def _csv_bytes(sheet: _Sheet, lines: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for line in lines:
        writer.writerow([_text(line)])
    writer.writerow([])
    sheet_cols = sheet_columns(sheet.kind)
    keys = [c.key for c in sheet_cols]
    writer.writerow([c.header_for(sheet.kind) for c in sheet_cols])
    for data in sheet.rows:
        writer.writerow([_csv_cell(data.get(key)) for key in keys])
    totals = [""] * len(sheet_cols)
    totals[0] = f"Tổng cộng: {len(sheet.rows)} hồ sơ"
    totals[keys.index("amount")] = str(_total(sheet.rows))
    writer.writerow(totals)
    # The BOM tells Excel the file is UTF-8; without it Vietnamese letters come out garbled.
    return buffer.getvalue().encode("utf-8-sig")
