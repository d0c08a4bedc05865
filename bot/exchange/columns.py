"""The list's form: its titles, columns, Vietnamese words and header matching (export and import share it)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from messages import vocabulary
from messages.normalize import fold
from messages.vocabulary import ApplicationKind, ApplicationStatus

KINDS = tuple(ApplicationKind)
FORMATS = ("xlsx", "csv")
# Withdrawn applications are the citizen's own cancellation: never part of a list unless asked for.
DEFAULT_STATUSES = tuple(s for s in vocabulary.STATUSES if s != ApplicationStatus.WITHDRAWN)
# NQ 68 is dated 01/07/2021: no decision or payment under it can be earlier.
EARLIEST_DECISION = date(2021, 7, 1)
MAX_NOTE_CHARS = 500
MAX_DECISION_NUMBER_CHARS = 64  # Application.decision_number
MAX_REFERENCE_CHARS = 128  # Payment.reference
_HEADER_SEARCH_ROWS = 40


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


@dataclass
class _Sheet:
    kind: str | None
    rows: list[dict[str, Any]]


def _total(rows: Sequence[dict[str, Any]]) -> int:
    return sum(r["amount"] or 0 for r in rows)
