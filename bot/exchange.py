"""`hotro export` and `hotro import`: the list a commune sends to the district, and the district's answers.

Export writes the applications of an area as the list communes send up (XLSX, or CSV with a BOM),
with ID numbers and bank accounts decrypted because officials verify them against the papers. The
last six columns are left for the district (or province) to fill in: result, decision number and
date, amount and date paid, reason. Import reads such a file back and applies every row through
the lifecycle, all or nothing: one bad row and nothing changes, so an official never has to work
out which half of a file went in.

The spreadsheet's words are Vietnamese constants rather than gettext messages: the file is an
administrative form exchanged between offices, and the import recognises its headers and result
words whatever language the bot speaks. Messages to the official running the command go
through gettext.

Import rules, decided here:
- A row whose result cell is empty is skipped (not decided yet); a row that fills decision or
  payment columns without a result is an error, since the official probably forgot the result.
- "Đã chi trả" for an application not approved yet is accepted when the row also gives the
  decision number and date: it is applied as approved, then paid (two status events, two notices).
- A row that repeats what is already recorded (approved with the same decision number, already
  rejected, already paid) is counted as unchanged, so a district may send back a cumulative list.
- For "Phê duyệt", an amount in "Số tiền chi trả" is taken as the approved amount (the default is
  the estimated amount); a payment may not exceed the approved amount.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import getpass
import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.datakey import open_database
from handlers import admin_units, app_code, lifecycle
from handlers.lifecycle import PaymentInfo
from handlers.validators import Invalid, parse_date, spreadsheet_safe
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.normalize import fold
from messages.vocabulary import AREA_CODE_ERRORS, ApplicationKind, ApplicationStatus, AreaLevel, Role
from storage import outbox
from storage.applications import birth_date_of, phone_of
from storage.crypto import DataProtector, DecryptionError
from storage.db import session_factory
from storage.models import Application, AuditLog, Official, Payment
from storage.officials import ROLES, covers, scope

KINDS = tuple(ApplicationKind)
FORMATS = ("xlsx", "csv")
# Withdrawn applications are the citizen's own cancellation: never part of a list unless asked for.
DEFAULT_STATUSES = tuple(s for s in vocabulary.STATUSES if s != ApplicationStatus.WITHDRAWN)
# NQ 68 is dated 01/07/2021: no decision or payment under it can be earlier.
EARLIEST_DECISION = date(2021, 7, 1)
MAX_NOTE_CHARS = 500
MAX_DECISION_NUMBER_CHARS = 64  # Application.decision_number
MAX_REFERENCE_CHARS = 128  # Payment.reference
_CODE_CHUNK = 500  # codes per IN (...) query
_HEADER_SEARCH_ROWS = 40

# --------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------

TITLES: dict[str | None, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: "DANH SÁCH HỘ KINH DOANH ĐỀ NGHỊ HỖ TRỢ",
    ApplicationKind.FREE_WORKER: "DANH SÁCH NGƯỜI LAO ĐỘNG KHÔNG CÓ GIAO KẾT HỢP ĐỒNG LAO ĐỘNG ĐỀ NGHỊ HỖ TRỢ",
    None: "DANH SÁCH HỒ SƠ ĐỀ NGHỊ HỖ TRỢ",
}
SHEET_NAMES: dict[str, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: "Hộ kinh doanh",
    ApplicationKind.FREE_WORKER: "Lao động tự do",
}
LEGAL_BASIS = (
    "Theo Nghị quyết số 68/NQ-CP và Quyết định số 23/2021/QĐ-TTg "
    "(sửa đổi, bổ sung tại Nghị quyết số 126/NQ-CP và Quyết định số 33/2021/QĐ-TTg)"
)
ALL_AREAS = "Tất cả các địa bàn"
DISTRICT_NOTE = (
    "Phần dành cho cơ quan xét duyệt (các cột tô vàng): ghi Kết quả là “Phê duyệt”, “Từ chối” hoặc “Đã chi trả”; "
    "phê duyệt thì ghi Số quyết định và Ngày quyết định; chi trả thì ghi Số tiền chi trả và Ngày chi trả; "
    "từ chối thì ghi lý do. Gửi lại tệp này cho UBND xã để cập nhật vào hệ thống."
)
SEX_WORDS = {"male": "Nam", "female": "Nữ"}
METHOD_WORDS = {"cash": "Tiền mặt", "bank": "Chuyển khoản"}
RESULT_WORDS: dict[str, str] = {
    ApplicationStatus.APPROVED: "Phê duyệt",
    ApplicationStatus.REJECTED: "Từ chối",
    ApplicationStatus.PAID: "Đã chi trả",
}
# Folded spellings accepted on import (English too, for districts that use their own software).
RESULT_ALIASES = {
    ApplicationStatus.APPROVED: ("phe duyet", "da phe duyet", "duyet", "dong y", ApplicationStatus.APPROVED, "approve"),
    ApplicationStatus.REJECTED: ("tu choi", "khong duyet", "khong phe duyet", ApplicationStatus.REJECTED, "reject"),
    ApplicationStatus.PAID: ("da chi tra", "chi tra", "da chi", "da tra", ApplicationStatus.PAID),
}
_RESULT_BY_ALIAS = {alias: result for result, aliases in RESULT_ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    number_format: str | None = None
    district: bool = False  # filled in by the district and read back by the import
    aliases: tuple[str, ...] = ()  # other folded headers the import accepts
    kinds: tuple[str, ...] = tuple(ApplicationKind)  # the sheets that have it (a mixed one: all)
    free_worker_header: str | None = None  # the heading on the free workers' sheet, when it differs

    def header_for(self, kind: str | None) -> str:
        return (
            self.free_worker_header if kind == ApplicationKind.FREE_WORKER and self.free_worker_header else self.header
        )


HOUSEHOLD, FREE_WORKER = KINDS
CATEGORY_WORDS = {
    "registered": "Có đăng ký kinh doanh / có mã số thuế",
    "tax_directory": "Có tên trong danh bạ của cơ quan thuế",
    "street_vendor": "Bán hàng rong, quà vặt, buôn chuyến",
    "mobile_seasonal": "Kinh doanh lưu động, theo thời vụ",
    "low_income_service": "Dịch vụ thu nhập thấp, không phải đăng ký kinh doanh",
    "agri": "Hộ sản xuất nông, lâm, ngư, diêm nghiệp",
}
COLUMNS: tuple[Column, ...] = (
    Column("no", "STT", 5),
    Column("code", "Mã hồ sơ", 15, aliases=("ma so ho so", "ma hs")),
    Column("name", "Họ và tên", 24),
    Column("birth_date", "Ngày sinh", 12, "dd/mm/yyyy"),
    Column("sex", "Giới tính", 9),
    Column("id_number", "Số CCCD/CMND", 15),
    Column("phone", "Số điện thoại", 13),
    Column("address", "Địa chỉ", 42),
    Column("category", "Loại hình hộ kinh doanh", 22, kinds=(HOUSEHOLD,)),
    Column("business", "Ngành nghề / Tên hộ kinh doanh", 30, free_worker_header="Công việc trước khi mất việc"),
    Column("tax_code", "Mã số thuế / Số đăng ký hộ kinh doanh", 18, kinds=(HOUSEHOLD,)),
    Column("workplace", "Nơi làm việc", 26, kinds=(FREE_WORKER,)),
    Column(
        "period",
        "Thời gian ngừng (từ ngày – đến ngày)",
        24,
        free_worker_header="Thời gian mất việc làm (từ ngày – đến ngày)",
    ),
    Column("days", "Số ngày", 8, "0"),
    Column("order", "Văn bản yêu cầu tạm ngừng", 30, kinds=(HOUSEHOLD,)),
    Column("amount", "Mức hỗ trợ đề nghị (đồng)", 15, "#,##0"),
    Column("method", "Hình thức nhận", 14),
    Column("bank", "Ngân hàng", 16),
    Column("account", "Số tài khoản", 18),
    Column("account_holder", "Chủ tài khoản", 22),
    Column("status", "Trạng thái", 18),
    Column("note", "Ghi chú", 30),
    Column("result", "Kết quả (Phê duyệt/Từ chối/Đã chi trả)", 16, district=True, aliases=("ket qua xet duyet",)),
    Column("decision_number", "Số quyết định", 16, district=True, aliases=("so qd",)),
    Column("decision_date", "Ngày quyết định", 13, "dd/mm/yyyy", district=True, aliases=("ngay qd",)),
    Column("paid_amount", "Số tiền chi trả", 15, "#,##0", district=True, aliases=("so tien", "so tien da chi tra")),
    Column("paid_on", "Ngày chi trả", 13, "dd/mm/yyyy", district=True, aliases=("ngay da chi tra",)),
    Column(
        "result_note",
        "Lý do / Ghi chú kết quả",
        32,
        district=True,
        aliases=("ly do", "ghi chu ket qua", "ly do tu choi"),
    ),
)
COLUMN = {c.key: c for c in COLUMNS}
KEYS = tuple(c.key for c in COLUMNS)


def sheet_columns(kind: str | None) -> tuple[Column, ...]:
    """The columns of one kind's sheet; a sheet of both kinds has them all."""
    return tuple(c for c in COLUMNS if kind is None or kind in c.kinds)


def sheet_keys(kind: str | None) -> tuple[str, ...]:
    return tuple(c.key for c in sheet_columns(kind))


DATA_SHEET_ROW = 8  # title block above, header on row 7
HEADER_ROW = DATA_SHEET_ROW - 1


class ExchangeError(Exception):
    """A problem with the command or the file as a whole (the message is for the official)."""


def _header_key(text: Any) -> str:
    """'Kết quả (Phê duyệt/…)' -> 'ket qua': folded, without the part in brackets or punctuation."""
    if text is None:
        return ""
    folded = fold(unicodedata.normalize("NFC", str(text)))
    folded = re.sub(r"\(.*?\)", " ", folded)
    return " ".join(re.findall(r"[a-z0-9]+", folded))


_COLUMN_BY_HEADER = {
    key: column.key
    for column in COLUMNS
    for key in (_header_key(column.header), _header_key(column.free_worker_header), *column.aliases)
    if key
}


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


def area_label(role: str, area: int | None) -> str:
    if role == Role.ADMIN or area is None:
        return ALL_AREAS
    unit = admin_units.get(role, area)
    return unit.full_name if unit else str(area)


def check_area(role: str, area: int | None) -> None:
    if role not in ROLES:
        raise ExchangeError(_("Unknown role {role}.").format(role=role))
    if role == Role.ADMIN:
        if area is not None:  # an administrator's list is every area: an area given with it would be ignored
            raise ExchangeError(_("--area-role admin covers every area: leave out --area, or give another role."))
        return
    if area is None:
        raise ExchangeError(_("--area is required unless --area-role is admin."))
    if admin_units.get(role, area) is None:
        raise ExchangeError(_(AREA_CODE_ERRORS[role]).format(area=area))


def _text(value: str | None) -> str:
    """A text cell: printable, and never read as a formula by a spreadsheet."""
    if not value:
        return ""
    return spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value))


def _sex_from_cccd(id_number: str) -> str | None:
    # The 4th digit of a CCCD encodes sex and century: even for men, odd for women.
    if len(id_number) == 12 and id_number.isdigit():
        return "female" if int(id_number[3]) % 2 else "male"
    return None


# The list's columns as Core rows rather than ORM entities: for 100,000 applications the identity map and
# instance state cost seconds and hundreds of MiB, and the export changes nothing.
_LISTED = (
    Application.id,
    Application.code,
    Application.kind,
    Application.status,
    Application.full_name,
    Application.birth_date,
    Application.birth_date_enc,
    Application.sex,
    Application.phone,
    Application.phone_enc,
    Application.id_number_enc,
    Application.commune_code,
    Application.period_start,
    Application.period_end,
    Application.payment_method,
    Application.bank_name,
    Application.bank_account_enc,
    Application.account_holder,
    Application.fields,
    Application.estimated_amount,
    Application.duplicate_note,
    Application.info_request,
    Application.decision_number,
    Application.decision_date,
    Application.approved_amount,
    Application.rejection_reason,
)
_PAID = (Payment.application_id, Payment.amount, Payment.paid_on, Payment.reference)
_Listed = Row[Any]  # a row of _LISTED: the Application attributes the list shows, by the same names
_Paid = Row[int, int, date, str | None]  # a row of _PAID


@lru_cache(maxsize=4096)
def _date_text(value: date) -> str:
    # Babel takes ~20 µs a date and a list repeats a few hundred dates over 100,000 rows.
    return fmt.day(value)


@lru_cache(maxsize=16384)
def _place(commune_code: int) -> str:
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    return commune.full_name if commune else str(commune_code)


def _address(application: _Listed) -> str:
    fields = application.fields or {}
    if application.kind == ApplicationKind.FREE_WORKER:
        detail = fields.get("current_address") if fields.get("same_address") == "no" else fields.get("home_address")
    else:
        detail = fields.get("address")
    place = _place(application.commune_code)
    return f"{detail}, {place}" if detail else place


def _business(application: _Listed) -> str:
    fields = application.fields or {}
    if application.kind == ApplicationKind.FREE_WORKER:
        occupation = fields.get("occupation")
        if occupation == "other":
            occupation = fields.get("occupation_other")
        return str(occupation or "")
    parts = [fields.get("business_name"), fields.get("business_line")]
    return " – ".join(str(p) for p in parts if p)


def _workplace(application: _Listed) -> str | None:
    return (application.fields or {}).get("workplace") if application.kind == FREE_WORKER else None


def _household_field(application: _Listed, key: str) -> str | None:
    return (application.fields or {}).get(key) if application.kind == HOUSEHOLD else None


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
    start, end = application.period_start, application.period_end
    row: dict[str, Any] = {
        "no": no,
        "code": app_code.display(application.code),
        "name": application.full_name,
        "birth_date": birth_date_of(application, protector),
        "sex": SEX_WORDS.get(application.sex or _sex_from_cccd(id_number) or "", ""),
        "id_number": id_number,
        "phone": phone_of(application, protector),
        "address": _address(application),
        "category": CATEGORY_WORDS.get(_household_field(application, "category") or ""),
        "business": _business(application),
        "tax_code": _household_field(application, "tax_code"),
        "workplace": _workplace(application),
        "order": _household_field(application, "order"),
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


@dataclass
class _Sheet:
    kind: str | None
    rows: list[dict[str, Any]]


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


async def _load_sheets(
    session: AsyncSession,
    protector: DataProtector,
    *,
    role: str,
    area: int | None,
    statuses: Sequence[str],
    kind: str | None,
    split_kinds: bool,
) -> list[_Sheet]:
    area_filter = scope(Official(role=role, area_code=area))  # a transient official: only its filter is used
    conditions = [area_filter, Application.status.in_(list(statuses))]
    if kind is not None:
        conditions.append(Application.kind == kind)
    applications = (
        await session.execute(
            select(*_LISTED)
            .where(*conditions)
            .order_by(Application.commune_code, Application.submitted_at, Application.id)
        )
    ).all()
    # The latest payment of each paid application (a join, not IN (...), so a province-wide list works too).
    payments: dict[int, _Paid] = {}
    for payment in await session.execute(
        select(*_PAID)
        .join(Application, Payment.application_id == Application.id)
        .where(*conditions, Application.status == ApplicationStatus.PAID)
        .order_by(Payment.paid_on, Payment.id)
    ):
        payments[payment.application_id] = payment
    kinds: list[str | None] = list(KINDS) if split_kinds else [kind]
    # Decrypting and formatting ~100,000 rows is seconds of pure CPU: a worker thread keeps the event loop free.
    return await asyncio.to_thread(_build_sheets, applications, payments, protector, kinds)


def _title_lines(kind: str | None, role: str, area: int | None, statuses: Sequence[str], today: date) -> list[str]:
    dated = f"Ngày lập danh sách: {fmt.day(today)}"
    if tuple(statuses) != DEFAULT_STATUSES:
        dated += " · Trạng thái hồ sơ: " + ", ".join(vocabulary.status_label(s) for s in statuses)
    return [TITLES[kind], area_label(role, area), LEGAL_BASIS, dated, DISTRICT_NOTE]


def _total(rows: Sequence[dict[str, Any]]) -> int:
    return sum(r["amount"] or 0 for r in rows)


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_DISTRICT_FILL = PatternFill("solid", fgColor="FFF2CC")
_TITLE_FONTS = (Font(bold=True, size=14), Font(bold=True, size=12), Font(italic=True), Font(), Font(italic=True))
_BOLD, _ITALIC = Font(bold=True), Font(italic=True)
_WRAPPED = ("address", "business", "workplace", "order", "note")
_SIGNATURES = {3: ("NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"), 9: ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký tên, đóng dấu)")}


def _cell(ws: WriteOnlyWorksheet, value: Any = None, **style: Any) -> Cell:
    """A write-only cell styled through openpyxl's descriptors (None: not set): for the cells outside the data."""
    cell = WriteOnlyCell(ws)
    for name, setting in style.items():
        if setting is not None:
            setattr(cell, name, setting)
    cell.value = value  # after the number format, so a date keeps it
    return cell


def _write_sheet(ws: WriteOnlyWorksheet, sheet: _Sheet, lines: list[str]) -> None:
    """Stream one sheet: write-only mode writes each row as it is appended, so everything that goes before
    the rows in the XML (column widths, row heights, frozen panes, sheet properties) is set first."""
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

    for row_no, (line, font) in enumerate(zip(lines, _TITLE_FONTS, strict=True), start=1):
        alignment = Alignment(horizontal="left" if row_no == 5 else "center", wrap_text=True)
        ws.append([_cell(ws, _text(line), font=font, alignment=alignment)])
    ws.append([])
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append(
        [
            _cell(
                ws,
                column.header_for(sheet.kind),
                font=_BOLD,
                alignment=header_alignment,
                fill=_DISTRICT_FILL if column.district else _HEADER_FILL,
                border=_BORDER,
            )
            for column in sheet_cols
        ]
    )

    # Styling each cell through openpyxl's descriptors hashes style objects per cell (about 1.5 ms a row);
    # one styled prototype per column and its style array given to each cell is ~10x faster.
    prototypes = [
        _cell(
            ws,
            border=_BORDER,
            alignment=Alignment(vertical="top", wrap_text=column.key in _WRAPPED),
            number_format=column.number_format,
            fill=_DISTRICT_FILL if column.district else None,
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
    totals = [_cell(ws, border=_BORDER) for _ in sheet_cols]
    totals[0] = _cell(ws, label, font=_BOLD, alignment=Alignment(horizontal="center"), border=_BORDER)
    totals[amount_col - 1] = _cell(ws, _total(sheet.rows), font=_BOLD, number_format="#,##0", border=_BORDER)
    ws.append(totals)
    ws.append([])
    for sign_line, font in enumerate((_BOLD, _ITALIC)):  # the signer's title, then the hint under it
        signs = [
            _cell(ws, _SIGNATURES[n][sign_line], font=font) if n in _SIGNATURES else None for n in range(1, width + 1)
        ]
        ws.append(signs)


def _xlsx_bytes(pages: Sequence[tuple[_Sheet, list[str]]]) -> bytes:
    # Write-only: rows stream out as XML instead of ~2.3 million cell objects kept until the save (~1 GiB).
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


def _private_tmp(out: Path) -> tuple[Path, int]:
    """A temporary file next to ``out``, readable by its owner only: the export holds ID numbers."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return tmp, fd


async def export_applications(
    sessions: async_sessionmaker[AsyncSession],
    protector: DataProtector,
    *,
    role: str,
    area: int | None,
    statuses: Sequence[str] | None = None,
    kind: str | None = None,
    out: Path,
    fmt: str = "xlsx",
    actor: str,
    today: date,
) -> int:
    """Write the area's list to ``out`` and audit the export; returns the number of applications.

    Without ``kind`` an XLSX has one sheet per kind (the two are separate forms); a CSV is one list.
    The file appears only once the audit row is committed, so no export goes unrecorded.
    """
    check_area(role, area)
    chosen = tuple(statuses) if statuses else DEFAULT_STATUSES
    unknown = [s for s in chosen if s not in vocabulary.STATUSES]
    if unknown:
        raise ExchangeError(_("Unknown status: {statuses}.").format(statuses=", ".join(unknown)))
    if kind is not None and kind not in KINDS:
        raise ExchangeError(_("Unknown kind {kind}.").format(kind=kind))
    if fmt not in FORMATS:
        raise ExchangeError(_("The format must be xlsx or csv."))
    out = Path(out)
    tmp: Path | None = None
    try:
        async with sessions.begin() as session:
            sheets = await _load_sheets(
                session,
                protector,
                role=role,
                area=area,
                statuses=chosen,
                kind=kind,
                split_kinds=kind is None and fmt == "xlsx",
            )
            pages = [(sheet, _title_lines(sheet.kind, role, area, chosen, today)) for sheet in sheets]
            # Seconds of pure CPU for a large list: in a worker thread, so the bot keeps answering meanwhile.
            if fmt == "xlsx":
                data = await asyncio.to_thread(_xlsx_bytes, pages)
            else:
                data = await asyncio.to_thread(_csv_bytes, *pages[0])
            count = sum(len(s.rows) for s in sheets)
            tmp, fd = _private_tmp(out)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            detail = {
                "area": f"{role}:{area}" if role != Role.ADMIN else Role.ADMIN,
                "statuses": list(chosen),
                "kind": kind,
                "format": fmt,
                "rows": count,
            }
            session.add(AuditLog(actor=actor, action="export", detail=json.dumps(detail), at=datetime.now(UTC)))
        os.replace(tmp, out)  # only after the audit row is committed
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return count


# --------------------------------------------------------------------------
# Import: reading
# --------------------------------------------------------------------------


@dataclass
class _Table:
    sheet: str | None  # None for a CSV
    columns: dict[str, int]  # column key -> index in the row
    rows: list[tuple[int, Sequence[Any]]]  # (line number the official sees, cell values)


def _find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> tuple[int, dict[str, int]] | None:
    for line, values in rows[:_HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        for index, value in enumerate(values):
            key = _COLUMN_BY_HEADER.get(_header_key(value))
            if key is not None and key not in columns:
                columns[key] = index
        if "code" in columns and "result" in columns:
            return line, columns
    return None


def _table(sheet: str | None, rows: Sequence[tuple[int, Sequence[Any]]]) -> _Table | None:
    found = _find_header(rows)
    if found is None:
        return None
    header_line, columns = found
    return _Table(sheet, columns, [(n, v) for n, v in rows if n > header_line])


def _read_xlsx(data: bytes) -> list[_Table]:
    # Not read-only: row numbers then always match what the official sees, even after blank rows.
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    tables = []
    for ws in workbook.worksheets:
        rows = [(n, values) for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        table = _table(ws.title, rows)
        if table is not None:
            tables.append(table)
    return tables


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" (not "CSV UTF-8") on Vietnamese Windows is code page 1258, with combining tones.
        text = raw.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _delimiter(text: str) -> str:
    """The delimiter of the header line: "," as we write it, ";" as Excel writes it where "," is the decimal mark."""
    for line in text.splitlines()[:_HEADER_SEARCH_ROWS]:
        if "ma ho so" in _header_key(line):
            return max((",", ";", "\t"), key=line.count)
    return ","


def _read_csv(data: bytes) -> list[_Table]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    table = _table(None, [(n, values) for n, values in enumerate(reader, start=1)])
    return [table] if table is not None else []


def read_tables(path: Path, data: bytes) -> list[_Table]:
    """The tables (one per sheet with a header row) of the file ``path`` whose content is ``data``."""
    try:
        tables = _read_csv(data) if path.suffix.lower() == ".csv" else _read_xlsx(data)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # what openpyxl raises for damaged files
        raise ExchangeError(_("Could not read {path}: {error}").format(path=path, error=exc)) from exc
    if not tables:
        raise ExchangeError(
            _("No header row with the columns “{code}” and “{result}” was found.").format(
                code=COLUMN["code"].header, result=COLUMN["result"].header
            )
        )
    return tables


def _file_bytes(path: Path) -> bytes:
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ExchangeError(_("Only .xlsx and .csv files can be imported."))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(_("File {path} not found.").format(path=path)) from None
    except OSError as exc:
        raise ExchangeError(_("Could not read {path}: {error}").format(path=path, error=exc)) from exc


# --------------------------------------------------------------------------
# Import: checking each row
# --------------------------------------------------------------------------


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
    text = fold(_cell_text(value)).replace("₫", "")
    text = re.sub(r"(vnd|dong|d)$", "", text.replace(" ", "")).strip()
    if re.fullmatch(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*", text):
        return int(re.sub(r"[.,]", "", text))
    if re.fullmatch(r"\d+", text):
        return int(text)
    return None


def _day(value: Any, latest: date) -> date | str:
    """A date cell or dd/mm/yyyy text; an error message (str) when it is not a date in range."""
    if isinstance(value, datetime):
        value = value.date()
    elif isinstance(value, int | float) and not isinstance(value, bool):
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

    submitted_on = fmt.today_local(application.submitted_at) if application.submitted_at else None
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


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def _applications(session: AsyncSession, codes: Iterable[str]) -> dict[str, Application]:
    found: dict[str, Application] = {}
    for chunk in _chunks(sorted(set(codes)), _CODE_CHUNK):
        # Locked until the commit: a citizen withdrawing meanwhile waits instead of being overwritten.
        stmt = select(Application).where(Application.code.in_(list(chunk))).with_for_update()
        for application in (await session.execute(stmt)).scalars():
            found[application.code] = application
    return found


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

    async with sessions() as session:
        try:
            found = await _applications(session, (d.code for _n, d in decisions))
            plans: list[tuple[_Decision, list[_Step]]] = []
            for table_no, d in decisions:
                application = found.get(d.code)
                code = app_code.display(d.code)
                if application is None:
                    problem(table_no, d.line, d.label, _("There is no application {code}.").format(code=code))
                elif official is not None and not covers(official, application):
                    problem(table_no, d.line, d.label, _("Application {code} is not in your area.").format(code=code))
                else:
                    steps, plan_problems = _plan(d, application)
                    for message in plan_problems:
                        problem(table_no, d.line, d.label, message)
                    plans.append((d, steps))
            if problems:
                await session.rollback()
                report.errors = [(line, message) for _n, line, message in sorted(problems, key=lambda p: p[:2])]
                return report
            for d, steps in plans:
                if not steps:
                    report.unchanged += 1
                    continue
                for step in steps:
                    # Checked above, so TransitionError here would be a bug: it propagates and rolls back everything.
                    notice = await lifecycle.transition(
                        session, found[d.code], step.to_status, actor=actor, now=now, **step.kwargs
                    )
                    if notice is not None:
                        await outbox.enqueue(
                            session, notice.channel, notice.chat_id, notice.reply.to_payload(), now, protector
                        )
                        report.notices += 1
                report.applied[d.result] += 1
            detail = {
                "sha256": hashlib.sha256(data).hexdigest(),  # which file, without its content
                **report.applied,
                "unchanged": report.unchanged,
                "skipped": report.skipped,
            }
            session.add(AuditLog(actor=actor, action="import", detail=json.dumps(detail), at=now))
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
    return report


def _prefixed(label: str, problem: str) -> str:
    return _("sheet “{sheet}”: {problem}").format(sheet=label, problem=problem) if label else problem


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


async def _official(sessions: async_sessionmaker[AsyncSession], official_id: int) -> Official:
    async with sessions() as session:
        official = await session.get(Official, official_id)
    if official is None or not official.active:
        raise ExchangeError(_("There is no active official with id {id}.").format(id=official_id))
    return official


def _official_id(args: argparse.Namespace) -> int | None:
    if args.official_id is not None:
        return int(args.official_id)
    if args.actor:
        match = re.fullmatch(r"official:(\d+)", args.actor.strip())
        if match:
            return int(match[1])
    return None


async def run_export(settings: Settings, args: argparse.Namespace) -> None:
    db, protector = await open_database(settings)
    try:
        sessions = session_factory(db)
        official_id = _official_id(args)
        if official_id is not None:
            official = await _official(sessions, official_id)
            if args.area_role or args.area is not None:
                raise ExchangeError(_("Give either --official-id or --area-role and --area, not both."))
            role, area, actor = official.role, official.area_code, f"official:{official.id}"
        else:
            if not args.area_role:
                raise ExchangeError(_("Give --area-role and --area, or --official-id."))
            role, area = args.area_role, args.area
            actor = args.actor or f"cli:{getpass.getuser()}"
        out = Path(args.out)
        suffix = out.suffix.lower().lstrip(".")
        if suffix not in FORMATS or (args.format and args.format != suffix):
            raise ExchangeError(
                _("The list can only be written as .xlsx or .csv, and the file name must end the same: {path}.").format(
                    path=out.name
                )
            )
        file_format = suffix
        count = await export_applications(
            sessions,
            protector,
            role=role,
            area=area,
            statuses=args.status,
            kind=args.kind,
            out=out,
            fmt=file_format,
            actor=actor,
            today=fmt.today_local(),
        )
    except ExchangeError as exc:
        raise SystemExit(str(exc)) from None
    except DecryptionError:
        raise SystemExit(
            _(
                "Cannot decrypt the stored ID numbers or bank accounts: the data key (HOTRO_DATA_KEY) is not the one "
                "they were encrypted with."
            )
        ) from None
    finally:
        await db.dispose()
    print(_("Exported {rows} applications to {path}.").format(rows=count, path=out))
    print(_("The file contains ID numbers and bank accounts: keep it safe and delete it when no longer needed."))


def summary(report: ImportReport) -> list[str]:
    applied = sum(report.applied.values())
    lines = [_("Applied {rows} lines:").format(rows=applied)]
    for result, label in (
        (ApplicationStatus.APPROVED, N_("approved: {count}")),
        (ApplicationStatus.REJECTED, N_("rejected: {count}")),
        (ApplicationStatus.PAID, N_("paid: {count}")),
    ):
        lines.append("  • " + _(label).format(count=report.applied[result]))
    if report.unchanged:
        lines.append("  • " + _("already recorded (unchanged): {count}").format(count=report.unchanged))
    if report.skipped:
        lines.append("  • " + _("without a result (skipped): {count}").format(count=report.skipped))
    lines.append(_("Notices queued for citizens: {count}").format(count=report.notices))
    return lines


def problem_lines(report: ImportReport) -> list[str]:
    return [_("line {line}: {problem}").format(line=line, problem=problem) for line, problem in report.errors]


async def run_import(settings: Settings, args: argparse.Namespace) -> None:
    official_id = _official_id(args)
    if official_id is None:
        raise SystemExit(_("Give --official-id N or --actor official:N: every change is recorded under an official."))
    db, protector = await open_database(settings)
    try:
        sessions = session_factory(db)
        official = await _official(sessions, official_id)
        report = await import_file(
            sessions,
            Path(args.file),
            official=official,
            actor=f"official:{official.id}",
            now=datetime.now(UTC),
            protector=protector,
        )
    except ExchangeError as exc:
        raise SystemExit(str(exc)) from None
    finally:
        await db.dispose()
    if not report.ok:
        for line in problem_lines(report):
            print(line)
        raise SystemExit(
            _("The file has {count} problems; nothing was imported. Correct them and import the file again.").format(
                count=len(report.errors)
            )
        )
    if not sum(report.applied.values()) and not report.unchanged:
        print(_("No line has a result to import."))
        return
    for line in summary(report):
        print(line)


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = sub.add_parser(
        "export", help=_("write an area's applications as the list sent to the district (XLSX/CSV)")
    )
    export.add_argument("--area-role", choices=ROLES, help=_("the level of --area (admin: every area)"))
    export.add_argument("--area", type=int, help=_("GSO code of the commune, district or province"))
    export.add_argument("--official-id", type=int, help=_("take the role and area from this registered official"))
    export.add_argument(
        "--status",
        action="append",
        choices=vocabulary.STATUSES,
        help=_("only this status (repeatable; default: all but withdrawn)"),
    )
    export.add_argument("--kind", choices=KINDS, help=_("only this kind (default: one sheet per kind)"))
    export.add_argument("--out", required=True, help=_("the file to write (.xlsx or .csv)"))
    export.add_argument("--format", choices=FORMATS, help=_("default: from the file name"))
    export.add_argument("--actor", help=_("who exports, for the audit log (default: cli:<user>)"))
    export.set_defaults(func=run_export)

    imp = sub.add_parser("import", help=_("apply the district's decisions and payments from an exported list"))
    imp.add_argument("file", help=_("the .xlsx or .csv file the district sent back"))
    imp.add_argument("--official-id", type=int, help=_("the registered official who imports (limits it to their area)"))
    imp.add_argument("--actor", help=_('the same as --official-id, written "official:<id>"'))
    imp.set_defaults(func=run_import)
