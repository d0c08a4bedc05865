"""`hotro export` / `hotro import`: the commune's list for the district, and the district's answers read back."""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import io
import json
import re
import threading
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import exchange
from bot.app import HoTro
from bot.config import Settings
from handlers import admin_units, app_code
from handlers.review import lifecycle
from messages import vocabulary
from messages.catalog import PO, read
from storage import outbox
from storage.crypto import DataProtector
from storage.models import Application, AuditLog, ChannelUser, Official, OutboxMessage, Payment, StatusEvent
from storage.officials import add_official

ROOT = Path(__file__).resolve().parent.parent
NHAT_TIEN = 6418  # Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn
MINH_SON = 6448  # Xã Minh Sơn, same district
NOW = datetime(2021, 9, 15, 3, 0, tzinfo=UTC)
TODAY = date(2021, 9, 15)
INJECTION = '=HYPERLINK("http://x.example","bấm vào")'


# --------------------------------------------------------------------------
# Factory
# --------------------------------------------------------------------------


async def add_application(
    session: AsyncSession,
    protector: DataProtector,
    *,
    id_number: str,
    name: str = "Nguyễn Văn An",
    kind: str = "household_business",
    commune: int = NHAT_TIEN,
    status: str = "forwarded",
    submitted: datetime = NOW - timedelta(days=50),  # before every decision date the tests use
    fields: dict[str, Any] | None = None,
    bank_account: str | None = None,
    amount: int | None = 3_000_000,
) -> Application:
    unit = admin_units.get("commune", commune)
    assert unit is not None and unit.parent_code is not None
    district = admin_units.get("district", unit.parent_code)
    assert district is not None and district.parent_code is not None
    user = ChannelUser(channel="telegram", user_id=id_number, chat_id=f"chat-{id_number}")
    session.add(user)
    await session.flush()
    prefix = "HK" if kind == "household_business" else "TD"
    application = Application(
        code=app_code.new_code(prefix),
        kind=kind,
        policy_id=kind,
        status=status,
        channel="telegram",
        chat_id=user.chat_id,
        channel_user_id=user.id,
        full_name=name,
        birth_date=date(1985, 7, 5),
        sex=None if kind == "household_business" else "female",
        phone="0912345678",
        phone_hash=protector.blind_index("phone", id_number),
        id_kind="cccd",
        id_number_enc=protector.encrypt(id_number, context="id_number"),
        id_hash=protector.blind_index("id_number", id_number),
        province_code=district.parent_code,
        district_code=district.code,
        commune_code=commune,
        period_start=date(2021, 8, 1),
        period_end=date(2021, 8, 20),
        payment_method="bank" if bank_account else "cash",
        bank_name="Agribank" if bank_account else None,
        bank_account_enc=protector.encrypt(bank_account, context="bank_account") if bank_account else None,
        bank_hash=protector.blind_index("bank_account", bank_account) if bank_account else None,
        fields=fields
        if fields is not None
        else {"business_name": "Phở Lan", "business_line": "bán phở", "address": "thôn Đồng Lâm"},
        estimated_amount=amount,
        submitted_at=submitted,
        updated_at=submitted,
    )
    session.add(application)
    await session.flush()
    return application


def protector_of(app: HoTro) -> DataProtector:
    return app.engine.services.protector


async def count(app: HoTro, model: type[Any]) -> int:
    async with app.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def reload(app: HoTro, application: Application) -> Application:
    async with app.sessions() as session:
        return (await session.execute(select(Application).where(Application.id == application.id))).scalar_one()


async def commune_official(app: HoTro, area: int = NHAT_TIEN, user_id: str = "can-bo-xa") -> Official:
    async with app.sessions.begin() as session:
        return await add_official(session, "telegram", user_id, "commune", area, "Cán bộ xã")


async def export(app: HoTro, out: Path, **kwargs: Any) -> int:
    options: dict[str, Any] = {"role": "commune", "area": NHAT_TIEN, "actor": "official:1", "today": TODAY}
    options.update(kwargs)
    return await exchange.export_applications(app.sessions, protector_of(app), out=out, **options)


def column(key: str, kind: str | None = "household_business") -> int:
    """1-based spreadsheet column of a key on a kind's sheet (None: a sheet of both kinds)."""
    return exchange.sheet_keys(kind).index(key) + 1


def row_of(ws: Worksheet, code: str) -> int:
    for row in range(exchange.DATA_SHEET_ROW, ws.max_row + 1):
        if ws.cell(row=row, column=column("code")).value == app_code.display(code):
            return row
    raise AssertionError(f"{code} not in the sheet")


def fill(ws: Worksheet, row: int, **values: Any) -> None:
    for key, value in values.items():
        ws.cell(row=row, column=column(key), value=value)


def assert_form_layout(ws: Worksheet, rows: int) -> None:
    """What the write-only writer must set explicitly, as load_workbook reads it back."""
    last_col = get_column_letter(len(exchange.sheet_columns("household_business")))
    header, top = exchange.HEADER_ROW, exchange.DATA_SHEET_ROW
    last_data = header + rows
    total_row = last_data + 1
    # Title lines merged across the form, with their fonts; the district note left-aligned and wrapped.
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A{n}:{last_col}{n}" for n in range(1, 6)} <= merged
    assert f"A{total_row}:{get_column_letter(column('amount') - 1)}{total_row}" in merged
    assert ws["A1"].font.b and ws["A1"].font.sz == 14 and ws["A1"].alignment.horizontal == "center"
    assert ws["A3"].font.i and ws["A5"].alignment.horizontal == "left" and ws["A5"].alignment.wrap_text
    assert ws.row_dimensions[5].height == 32 and ws.row_dimensions[header].height == 45
    # Header: bold, bordered, the district's columns in yellow.
    heading, district = ws.cell(row=header, column=1), ws.cell(row=header, column=column("result"))
    assert heading.alignment.wrap_text and heading.border.left.style == "thin"
    assert heading.fill.fgColor.rgb == "00D9E1F2" and district.fill.fgColor.rgb == "00FFF2CC"
    assert ws.column_dimensions["A"].width == 5 and ws.column_dimensions[last_col].width == 32
    # Data cells: the column's border, alignment and number format, also on empty cells.
    for key, number_format in (("birth_date", "dd/mm/yyyy"), ("days", "0"), ("amount", "#,##0"), ("name", "General")):
        assert ws.cell(row=top, column=column(key)).number_format == number_format, key
    for key in ("decision_date", "paid_on"):
        assert ws.cell(row=last_data, column=column(key)).number_format == "dd/mm/yyyy", key
    empty_result = ws.cell(row=last_data, column=column("result"))
    assert empty_result.fill.fgColor.rgb == "00FFF2CC" and empty_result.border.bottom.style == "thin"
    assert ws.cell(row=top, column=column("address")).alignment.wrap_text
    assert ws.cell(row=top, column=column("name")).alignment.vertical == "top"
    assert not ws.cell(row=top, column=column("name")).alignment.wrap_text
    # Totals and signatures.
    assert ws.cell(row=total_row, column=1).font.b and ws.cell(row=total_row, column=column("amount")).font.b
    width = len(exchange.sheet_columns("household_business"))
    assert all(ws.cell(row=total_row, column=n).border.top.style == "thin" for n in range(1, width + 1))
    signer, hint = ws.cell(row=total_row + 2, column=3), ws.cell(row=total_row + 3, column=9)
    assert signer.value == "NGƯỜI LẬP BIỂU" and signer.font.b
    assert hint.value == "(Ký tên, đóng dấu)" and hint.font.i
    # The result list, the frozen panes, the filter and the print settings.
    [choices] = ws.data_validations.dataValidation
    result_col = get_column_letter(column("result"))
    assert (choices.type, choices.formula1, choices.errorStyle) == ("list", '"Phê duyệt,Từ chối,Đã chi trả"', "warning")
    assert choices.allow_blank and str(choices.sqref) == f"{result_col}{top}:{result_col}{max(last_data, top) + 200}"
    assert ws.freeze_panes == f"D{top}"
    assert ws.auto_filter.ref == f"A{header}:{last_col}{last_data}"
    assert ws.print_title_rows == f"${header}:${header}"
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage


# --------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------


async def test_export_a_communes_household_list(app: HoTro, tmp_path: Path) -> None:
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        later = await add_application(
            session, protector, id_number="020185000002", name="Trần Thị Bình", submitted=NOW - timedelta(days=5)
        )
        first = await add_application(
            session,
            protector,
            id_number="020085000001",
            submitted=NOW - timedelta(days=20),
            bank_account="123456789012",
            fields={"business_name": INJECTION, "business_line": "tạp hóa", "address": "@SUM(1+1)"},
        )
        first.duplicate_note = "Cùng số điện thoại với HK-2222-2222"
        elsewhere = await add_application(session, protector, id_number="020085000003", commune=MINH_SON)
        worker = await add_application(
            session,
            protector,
            id_number="020185000004",
            kind="free_worker",
            fields={"occupation": "Bốc vác, vận chuyển hàng hóa", "home_address": "xóm Chùa", "same_address": "yes"},
        )
        withdrawn = await add_application(session, protector, id_number="020085000005", status="withdrawn")

    out = tmp_path / "out" / "danh-sach.xlsx"
    rows = await export(app, out, kind="household_business")

    assert rows == 2
    assert out.stat().st_mode & 0o077 == 0  # ID numbers inside: owner only
    ws = load_workbook(out).active
    assert ws.title == "Hộ kinh doanh"
    assert ws["A1"].value == "DANH SÁCH HỘ KINH DOANH ĐỀ NGHỊ HỖ TRỢ"
    assert ws["A2"].value == "Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    assert ws["A3"].value.startswith("Theo Nghị quyết số 68/NQ-CP và Quyết định số 23/2021/QĐ-TTg")
    assert "15/09/2021" in ws["A4"].value
    header = [c.value for c in ws[exchange.HEADER_ROW]]
    assert header[:6] == ["STT", "Mã hồ sơ", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD/CMND"]
    for heading in (
        "Địa chỉ",
        "Ngành nghề / Tên hộ kinh doanh",
        "Mức hỗ trợ đề nghị (đồng)",
        "Số tài khoản",
        "Trạng thái",
        "Kết quả (Phê duyệt/Từ chối/Đã chi trả)",
        "Số quyết định",
        "Ngày quyết định",
        "Số tiền chi trả",
        "Ngày chi trả",
        "Lý do / Ghi chú kết quả",
    ):
        assert heading in header
    assert ws.cell(row=exchange.HEADER_ROW, column=1).font.b
    assert ws.freeze_panes == f"D{exchange.DATA_SHEET_ROW}"
    assert ws.column_dimensions["H"].width > 30  # the address column is wide

    # One row per application of the commune, the earliest submitted first.
    top, second = exchange.DATA_SHEET_ROW, exchange.DATA_SHEET_ROW + 1
    codes = [ws.cell(row=r, column=column("code")).value for r in (top, second)]
    assert codes == [app_code.display(first.code), app_code.display(later.code)]
    listed = {ws.cell(row=r, column=column("code")).value for r in range(1, ws.max_row + 1)}
    for absent in (elsewhere, worker, withdrawn):
        assert app_code.display(absent.code) not in listed

    def cell(row: int, key: str) -> Any:
        return ws.cell(row=row, column=column(key)).value

    assert cell(top, "no") == 1 and cell(second, "no") == 2
    assert cell(top, "id_number") == "020085000001"  # decrypted for the officials who verify it
    assert cell(top, "account") == "123456789012" and cell(top, "bank") == "Agribank"
    assert cell(top, "method") == "Chuyển khoản" and cell(second, "method") == "Tiền mặt"
    assert cell(top, "sex") == "Nam" and cell(second, "sex") == "Nữ"  # from the CCCD's 4th digit
    assert cell(top, "birth_date").date() == date(1985, 7, 5)
    assert cell(top, "period") == "01/08/2021 – 20/08/2021" and cell(top, "days") == 20
    assert cell(top, "amount") == 3_000_000
    assert cell(top, "status") == vocabulary.status_label("forwarded") == "Đã chuyển UBND huyện"
    assert cell(top, "note") == "Cùng số điện thoại với HK-2222-2222"
    assert cell(second, "address") == "thôn Đồng Lâm, Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    assert cell(second, "business") == "Phở Lan – bán phở"

    # Formula injection stays inert text.
    business = ws.cell(row=top, column=column("business"))
    assert business.value == "'" + INJECTION + " – tạp hóa" and business.data_type == "s"
    assert cell(top, "address").startswith("'@SUM(1+1)")

    # Totals row: count and the sum as a formatted number.
    total_row = second + 1
    assert ws.cell(row=total_row, column=1).value == "Tổng cộng: 2 hồ sơ"
    total = ws.cell(row=total_row, column=column("amount"))
    assert total.value == 6_000_000 and total.number_format == "#,##0"

    assert_form_layout(ws, rows=2)

    async with app.sessions() as session:
        [audit] = (await session.execute(select(AuditLog))).scalars().all()
    assert audit.action == "export" and audit.actor == "official:1"
    detail = json.loads(audit.detail or "{}")
    assert detail["rows"] == 2 and detail["area"] == f"commune:{NHAT_TIEN}"
    assert detail["kind"] == "household_business"
    for personal in ("020085000001", "Nguyễn", "Trần", "123456789012"):
        assert personal not in (audit.detail or "")


async def test_export_without_kind_has_a_sheet_per_kind_and_district_sees_both_communes(
    app: HoTro, tmp_path: Path
) -> None:
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        await add_application(session, protector, id_number="020085000001")
        await add_application(session, protector, id_number="020085000002", commune=MINH_SON)
        await add_application(
            session,
            protector,
            id_number="020185000003",
            kind="free_worker",
            fields={
                "occupation": "other",
                "occupation_other": "phụ hồ",
                "current_address": "số 5",
                "same_address": "no",
            },
            amount=None,
        )
    out = tmp_path / "huyen.xlsx"
    unit = admin_units.get("commune", NHAT_TIEN)
    assert unit is not None and unit.parent_code is not None
    assert await export(app, out, role="district", area=unit.parent_code, statuses=["forwarded"]) == 3
    wb = load_workbook(out)
    assert wb.sheetnames == ["Hộ kinh doanh", "Lao động tự do"]
    households, workers = wb["Hộ kinh doanh"], wb["Lao động tự do"]
    assert households["A2"].value == "Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    assert households.cell(row=exchange.DATA_SHEET_ROW + 2, column=1).value == "Tổng cộng: 2 hồ sơ"
    assert workers["A1"].value == "DANH SÁCH NGƯỜI LAO ĐỘNG KHÔNG CÓ GIAO KẾT HỢP ĐỒNG LAO ĐỘNG ĐỀ NGHỊ HỖ TRỢ"
    worker_column = functools.partial(column, kind="free_worker")
    assert workers.cell(row=exchange.DATA_SHEET_ROW, column=worker_column("business")).value == "phụ hồ"
    assert workers.cell(row=exchange.DATA_SHEET_ROW, column=worker_column("address")).value.startswith(
        "số 5, Xã Nhật Tiến"
    )
    assert workers.cell(row=exchange.DATA_SHEET_ROW + 1, column=worker_column("amount")).value == 0


async def test_export_builds_the_file_off_the_event_loop(
    app: HoTro, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        await add_application(session, protector, id_number="020085000001")
    build = exchange.writing._xlsx_bytes
    loop_ran = threading.Event()  # set by the ticker: the event loop went on while the file was built

    def slow_build(pages: Any) -> bytes:
        # Stands in for the seconds a 100,000-row list takes: busy until the loop has ticked (or 5 s,
        # when this runs on the loop and blocks it).
        loop_ran.wait(5)
        return build(pages)

    monkeypatch.setattr(exchange.export, "_xlsx_bytes", slow_build)  # where export_applications finds it
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1
            if ticks >= 10:
                loop_ran.set()

    task = asyncio.create_task(ticker())
    try:
        assert await export(app, tmp_path / "x.xlsx") == 1
    finally:
        task.cancel()
    assert ticks >= 10  # the loop kept running while the file was built


async def test_export_rejects_an_unknown_area(app: HoTro, tmp_path: Path) -> None:
    with pytest.raises(exchange.ExchangeError, match="--area 999999"):
        await export(app, tmp_path / "x.xlsx", area=999999)
    assert not (tmp_path / "x.xlsx").exists()
    assert await count(app, AuditLog) == 0


# --------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------


async def five_forwarded(app: HoTro) -> list[Application]:
    """A, B, C, E forwarded to the district; D already approved by an earlier decision."""
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        apps = [
            await add_application(session, protector, id_number=f"02008500000{n}", name=name, bank_account=account)
            for n, name, account in (
                (1, "Nguyễn Văn An", None),
                (2, "Trần Thị Bình", None),
                (3, "Lê Văn Cường", None),
                (4, "Phạm Thị Dung", "9704221234567"),
                (5, "Hoàng Văn Em", None),
            )
        ]
        await lifecycle.transition(
            session,
            apps[3],
            "approved",
            actor="official:0",
            now=NOW - timedelta(days=10),
            protector=protector,
            decision_number="900/QĐ-UBND",
            decision_date=date(2021, 8, 10),
        )
    return apps


async def test_import_round_trip_applies_decisions_payments_and_notices(app: HoTro, tmp_path: Path) -> None:
    a, b, c, d, e = await five_forwarded(app)
    official = await commune_official(app)
    out = tmp_path / "gui-huyen.xlsx"
    assert await export(app, out) == 5
    wb = load_workbook(out)
    assert wb.sheetnames == ["Hộ kinh doanh", "Lao động tự do"]  # the second one empty
    ws = wb["Hộ kinh doanh"]
    assert_form_layout(ws, rows=5)
    # The earlier approval is filled in already.
    assert ws.cell(row=row_of(ws, d.code), column=column("result")).value == "Phê duyệt"
    assert ws.cell(row=row_of(ws, d.code), column=column("decision_number")).value == "900/QĐ-UBND"

    fill(
        ws, row_of(ws, a.code), result="Phê duyệt", decision_number="1234/QĐ-UBND", decision_date=datetime(2021, 8, 20)
    )
    fill(ws, row_of(ws, b.code), result="phe duyet", decision_number="1234/QĐ-UBND", decision_date="20/8/2021")
    fill(ws, row_of(ws, c.code), result="Từ chối", result_note="Không thuộc địa bàn bị phong tỏa")
    fill(ws, row_of(ws, d.code), result="Đã chi trả", paid_amount="3.000.000", paid_on="30/08/2021")
    fill(
        ws,
        row_of(ws, e.code),
        result="  đã chi trả ",
        decision_number="1234/QĐ-UBND",
        decision_date="20/08/2021",
        paid_amount=3000000,
        paid_on=datetime(2021, 9, 1),
        result_note="Phiếu chi số 17",
    )
    filled = tmp_path / "huyen-tra-ve.xlsx"
    wb.save(filled)

    report = await exchange.import_file(
        app.sessions, filled, official=official, actor=f"official:{official.id}", now=NOW, protector=app.protector
    )

    assert report.errors == []
    assert report.applied == {"approved": 2, "rejected": 1, "paid": 2}
    assert report.unchanged == 0 and report.notices == 6
    a, b, c, d, e = [await reload(app, x) for x in (a, b, c, d, e)]
    assert (a.status, a.decision_number, a.decision_date) == ("approved", "1234/QĐ-UBND", date(2021, 8, 20))
    assert a.approved_amount == 3_000_000
    assert (b.status, b.decision_date) == ("approved", date(2021, 8, 20))
    assert (c.status, c.rejection_reason) == ("rejected", "Không thuộc địa bàn bị phong tỏa")
    assert (d.status, d.decision_number) == ("paid", "900/QĐ-UBND")
    assert (e.status, e.decision_number, e.decision_date) == ("paid", "1234/QĐ-UBND", date(2021, 8, 20))

    async with app.sessions() as session:
        payments = {p.application_id: p for p in (await session.execute(select(Payment))).scalars()}
        events = (await session.execute(select(StatusEvent).order_by(StatusEvent.id))).scalars().all()
        notices = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
        audits = (await session.execute(select(AuditLog).where(AuditLog.action == "import"))).scalars().all()
    assert set(payments) == {d.id, e.id}
    assert (payments[d.id].amount, payments[d.id].paid_on, payments[d.id].method) == (
        3_000_000,
        date(2021, 8, 30),
        "bank",
    )
    assert (payments[e.id].paid_on, payments[e.id].method, payments[e.id].reference) == (
        date(2021, 9, 1),
        "cash",
        "Phiếu chi số 17",
    )
    assert payments[e.id].recorded_by == f"official:{official.id}"
    imported = [(ev.application_id, ev.from_status, ev.to_status) for ev in events if ev.at == NOW]
    assert imported == [
        (a.id, "forwarded", "approved"),
        (b.id, "forwarded", "approved"),
        (c.id, "forwarded", "rejected"),
        (d.id, "approved", "paid"),
        (e.id, "forwarded", "approved"),
        (e.id, "approved", "paid"),
    ]
    assert all(ev.actor == f"official:{official.id}" for ev in events if ev.at == NOW)

    texts = {(n.chat_id, outbox.payload_of(n, app.protector)["text"]) for n in notices}
    assert len(notices) == 6 and all(n.status == "queued" and n.channel == "telegram" for n in notices)
    [approval] = [t for chat, t in texts if chat == a.chat_id]
    assert approval.startswith(
        f"Hồ sơ {app_code.display(a.code)} của bạn đã được phê duyệt theo Quyết định số 1234/QĐ-UBND ngày 20/08/2021."
    )
    assert "3.000.000\xa0₫" in approval
    [rejection] = [t for chat, t in texts if chat == c.chat_id]
    assert "không được duyệt" in rejection and "Không thuộc địa bàn bị phong tỏa" in rejection
    [paid_d] = [t for chat, t in texts if chat == d.chat_id]
    assert "đã được chi trả: 3.000.000\xa0₫ ngày 30/08/2021 (chuyển khoản)" in paid_d
    e_texts = [outbox.payload_of(n, app.protector)["text"] for n in notices if n.chat_id == e.chat_id]
    assert "phê duyệt" in e_texts[0] and "chi trả: 3.000.000\xa0₫ ngày 01/09/2021" in e_texts[1]
    [audit] = audits
    assert audit.actor == f"official:{official.id}"
    assert json.loads(audit.detail or "{}")["paid"] == 2

    # The district may send the same list again: what is recorded is not applied twice.
    again = await exchange.import_file(
        app.sessions, filled, official=official, actor="official:1", now=NOW, protector=app.protector
    )
    assert again.errors == [] and again.applied == {"approved": 0, "rejected": 0, "paid": 0}
    assert again.unchanged == 5
    assert await count(app, OutboxMessage) == 6 and await count(app, Payment) == 2


async def test_a_file_with_bad_rows_changes_nothing_and_names_each_line(app: HoTro, tmp_path: Path) -> None:
    a, b, c, d, e = await five_forwarded(app)
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        fresh = await add_application(session, protector, id_number="020085000006", status="submitted")
        outside = await add_application(session, protector, id_number="020085000007", commune=MINH_SON)
    official = await commune_official(app)
    out = tmp_path / "xa.xlsx"
    await export(app, out, kind="household_business")
    wb = load_workbook(out)
    ws = wb.active
    fill(ws, row_of(ws, a.code), result="Phê duyệt", decision_number="1/QĐ-UBND", decision_date="20/08/2021")  # good
    fill(ws, row_of(ws, b.code), result="Phê duyệt", decision_number="1/QĐ-UBND", decision_date="31/02/2021")
    fill(ws, row_of(ws, c.code), result="Từ chối")  # no reason
    fill(ws, row_of(ws, fresh.code), result="Phê duyệt", decision_number="1/QĐ-UBND", decision_date="20/08/2021")
    fill(ws, row_of(ws, e.code), result="Đã chi trả", paid_amount="3.000.000", paid_on="01/09/2021")  # not approved
    fill(ws, row_of(ws, d.code), result="Đồng ý chi", paid_amount="ba triệu")
    extra = ws.max_row + 1
    unknown = app_code.new_code("HK")
    ws.cell(row=extra, column=column("code"), value=app_code.display(unknown))
    ws.cell(row=extra, column=column("result"), value="Từ chối")
    ws.cell(row=extra, column=column("result_note"), value="Không thuộc đối tượng hỗ trợ")  # a reason that reads
    ws.cell(row=extra + 1, column=column("code"), value="HK-2222-2222")
    ws.cell(row=extra + 1, column=column("result"), value="Từ chối")
    ws.cell(row=extra + 2, column=column("code"), value=app_code.display(a.code))
    ws.cell(row=extra + 2, column=column("result"), value="Từ chối")
    ws.cell(row=extra + 3, column=column("code"), value=app_code.display(outside.code))
    ws.cell(row=extra + 3, column=column("result"), value="Từ chối")
    ws.cell(row=extra + 3, column=column("result_note"), value="Không thuộc đối tượng hỗ trợ")
    bad = tmp_path / "loi.xlsx"
    wb.save(bad)
    before = {x.id: x.status for x in (a, b, c, d, e, fresh, outside)}
    counts = [await count(app, model) for model in (OutboxMessage, StatusEvent, Payment, AuditLog)]

    report = await exchange.import_file(
        app.sessions, bad, official=official, actor="official:1", now=NOW, protector=app.protector
    )

    code = app_code.display
    expected = {
        row_of(ws, b.code): "Ngày quyết định: ",
        row_of(ws, c.code): "Từ chối cần ghi lý do ở cột “Lý do / Ghi chú kết quả”.",
        row_of(ws, fresh.code): f"Hồ sơ {code(fresh.code)} đang ở trạng thái “{vocabulary.status_label('submitted')}”",
        row_of(ws, e.code): f"Hồ sơ {code(e.code)} chưa được phê duyệt",
        row_of(ws, d.code): "Kết quả “Đồng ý chi” không hợp lệ",
        extra: f"Không có hồ sơ nào mang mã {code(unknown)}.",
        extra + 1: "“HK-2222-2222” không phải là mã hồ sơ hợp lệ",
        extra + 2: f"Hồ sơ {code(a.code)} bị ghi hai lần trong tệp (lần đầu ở dòng {row_of(ws, a.code)}).",
        extra + 3: f"Hồ sơ {code(outside.code)} không thuộc địa bàn bạn phụ trách.",
    }
    assert report.applied == {"approved": 0, "rejected": 0, "paid": 0}
    lines = [line for line, _msg in report.errors]
    assert lines == sorted(lines) and set(lines) == set(expected)
    for line, start in expected.items():
        assert any(msg.startswith(start) for n, msg in report.errors if n == line), (line, report.errors)
    assert any("ba triệu" in msg for n, msg in report.errors if n == row_of(ws, d.code))
    assert exchange.problem_lines(report)[0].startswith(f"dòng {lines[0]}: ")
    # Nothing applied, nothing queued, nothing recorded.
    assert {x.id: (await reload(app, x)).status for x in (a, b, c, d, e, fresh, outside)} == before
    assert [await count(app, model) for model in (OutboxMessage, StatusEvent, Payment, AuditLog)] == counts


async def test_payment_checks_against_the_decision(app: HoTro, tmp_path: Path) -> None:
    _a, _b, _c, d, _e = await five_forwarded(app)
    out = tmp_path / "xa.xlsx"
    await export(app, out, kind="household_business")
    wb = load_workbook(out)
    ws = wb.active
    fill(ws, row_of(ws, d.code), result="Đã chi trả", paid_amount=30_000_000, paid_on="01/08/2021")
    wb.save(out)
    report = await exchange.import_file(
        app.sessions, out, official=None, actor="official:1", now=NOW, protector=app.protector
    )
    [(line, early), (_line, too_much)] = report.errors
    assert line == row_of(ws, d.code)
    assert early == "Ngày chi trả 01/08/2021 trước ngày quyết định 10/08/2021."
    assert too_much == "Số tiền chi trả 30.000.000\xa0₫ lớn hơn mức được phê duyệt 3.000.000\xa0₫."


async def test_csv_export_and_import(app: HoTro, tmp_path: Path) -> None:
    a, b, c, _d, _e = await five_forwarded(app)
    out = tmp_path / "xa.csv"
    assert await export(app, out, fmt="csv", statuses=["forwarded"]) == 4
    raw = out.read_bytes()
    mixed = functools.partial(column, kind=None)  # no kind given: one sheet of both kinds
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert records[0] == ["DANH SÁCH HỒ SƠ ĐỀ NGHỊ HỖ TRỢ"]
    header_index = next(i for i, r in enumerate(records) if r and r[0] == "STT")
    header = records[header_index]
    assert "Mã hồ sơ" in header and "Lý do / Ghi chú kết quả" in header
    assert records[-1][0] == "Tổng cộng: 4 hồ sơ" and records[-1][mixed("amount") - 1] == "12000000"

    by_code = {r[mixed("code") - 1]: r for r in records[header_index + 1 : -1]}
    assert by_code[app_code.display(a.code)][mixed("id_number") - 1] == "020085000001"
    by_code[app_code.display(a.code)][mixed("result") - 1] = "approved"
    by_code[app_code.display(a.code)][mixed("decision_number") - 1] = "77/QĐ-UBND"
    by_code[app_code.display(a.code)][mixed("decision_date") - 1] = "2021-08-25"
    by_code[app_code.display(b.code)][mixed("result") - 1] = "TU CHOI"
    by_code[app_code.display(b.code)][mixed("result_note") - 1] = "Đã nhận hỗ trợ khác"
    # Headers retyped by hand: case, diacritics, spacing and Unicode form do not matter.
    header[mixed("code") - 1] = "  MÃ HỒ  SƠ "
    header[mixed("result") - 1] = "ket qua"
    header[mixed("decision_number") - 1] = unicodedata.normalize("NFD", "Số quyết định")
    # Excel where "," is the decimal mark saves with ";": the import reads either.
    back = tmp_path / "tra-ve.csv"
    with back.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows(records)

    report = await exchange.import_file(
        app.sessions, back, official=None, actor="official:9", now=NOW, protector=app.protector
    )

    assert report.errors == []
    assert report.applied == {"approved": 1, "rejected": 1, "paid": 0} and report.skipped == 2
    a, b, c = [await reload(app, x) for x in (a, b, c)]
    assert (a.status, a.decision_number, a.decision_date) == ("approved", "77/QĐ-UBND", date(2021, 8, 25))
    assert (b.status, b.rejection_reason) == ("rejected", "Đã nhận hỗ trợ khác")
    assert c.status == "forwarded"
    assert await count(app, OutboxMessage) == 2


def cp1258(text: str) -> bytes:
    """Text as Excel's plain "CSV" saves it on Vietnamese Windows: code page 1258, tones as combining marks."""
    out = b""
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:  # a toned vowel: the base letter (â, ơ…) then the combining tone
            marks = unicodedata.normalize("NFD", char)
            tones = "".join(m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in tones))
            out += (base + tones).encode("cp1258")
    return out


async def test_csv_from_excel_in_code_page_1258(app: HoTro, tmp_path: Path) -> None:
    [a, *_rest] = await five_forwarded(app)
    rows = [
        ["DANH SÁCH HỘ KINH DOANH ĐỀ NGHỊ HỖ TRỢ"],
        ["STT", "Mã hồ sơ", "Họ và tên", "Kết quả", "Lý do / Ghi chú kết quả"],
        ["1", app_code.display(a.code), "Nguyễn Văn An", "Từ chối", "Đã nhận hỗ trợ theo chính sách khác"],
    ]
    path = tmp_path / "excel.csv"
    path.write_bytes(b"".join(cp1258(";".join(r) + "\r\n") for r in rows))
    report = await exchange.import_file(
        app.sessions, path, official=None, actor="official:1", now=NOW, protector=app.protector
    )
    assert report.errors == [] and report.applied["rejected"] == 1
    assert (await reload(app, a)).rejection_reason == "Đã nhận hỗ trợ theo chính sách khác"


async def test_files_that_cannot_be_read(app: HoTro, tmp_path: Path) -> None:
    garbage = tmp_path / "hong.xlsx"
    garbage.write_bytes(b"not a workbook")
    no_header = tmp_path / "khong-tieu-de.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    other = tmp_path / "danh-sach.pdf"
    other.write_bytes(b"%PDF")
    for path, message in (
        (garbage, "Không đọc được tệp"),
        (no_header, "Không tìm thấy dòng tiêu đề có các cột “Mã hồ sơ” và “Kết quả (Phê duyệt/Từ chối/Đã chi trả)”"),
        (other, "Chỉ nhập được tệp .xlsx hoặc .csv."),
        (tmp_path / "khong-co.xlsx", "Không tìm thấy tệp"),
    ):
        with pytest.raises(exchange.ExchangeError, match=re.escape(message)):
            await exchange.import_file(
                app.sessions, path, official=None, actor="official:1", now=NOW, protector=app.protector
            )


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    exchange.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(list(argv))


async def test_cli_export_and_import(
    app: HoTro, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, *_rest = await five_forwarded(app)
    official = await commune_official(app)
    out = tmp_path / "cli.xlsx"

    args = parse("export", "--official-id", str(official.id), "--kind", "household_business", "--out", str(out))
    await args.func(settings, args)
    assert "Đã xuất 5 hồ sơ ra tệp" in capsys.readouterr().out

    wb = load_workbook(out)
    ws = wb.active
    fill(ws, row_of(ws, a.code), result="Phê duyệt", decision_number="5/QĐ-UBND", decision_date="20/08/2021")
    extra = ws.max_row + 1
    ws.cell(row=extra, column=column("code"), value="HK-2222-2222")
    ws.cell(row=extra, column=column("result"), value="Từ chối")
    wb.save(out)
    args = parse("import", str(out), "--actor", f"official:{official.id}")
    with pytest.raises(SystemExit) as failed:
        await args.func(settings, args)
    assert "Tệp có 2 lỗi" in str(failed.value.code)
    printed = capsys.readouterr().out
    assert f"dòng {extra}: “HK-2222-2222” không phải là mã hồ sơ hợp lệ" in printed
    assert f"dòng {extra}: Từ chối cần ghi lý do" in printed
    assert (await reload(app, a)).status == "forwarded"

    ws.delete_rows(extra)
    wb.save(out)
    await args.func(settings, args)
    printed = capsys.readouterr().out
    assert "Đã cập nhật 1 dòng:" in printed and "phê duyệt: 1" in printed
    assert (await reload(app, a)).status == "approved"

    no_official = parse("import", str(out), "--actor", "district:huu-lung")
    with pytest.raises(SystemExit, match="--official-id"):
        await no_official.func(settings, no_official)
    both = parse("export", "--official-id", str(official.id), "--area-role", "admin", "--out", str(out))
    with pytest.raises(SystemExit, match="không ghi cả hai"):
        await both.func(settings, both)


# --------------------------------------------------------------------------
# Translations
# --------------------------------------------------------------------------


def test_every_exchange_message_has_a_vietnamese_translation() -> None:
    catalogs = [read(PO)]
    missing = []
    for _line, msgid, _comments, _context in (
        message
        for module in sorted((ROOT / "bot" / "exchange").glob("*.py"))
        for message in extract_from_file("python", str(module), keywords={"_": None, "N_": None})
    ):
        found = [c[msgid] for c in catalogs if c.get(msgid) is not None and c[msgid].string]
        if not found:
            missing.append(msgid)
            continue
        translation = found[-1].string
        assert sorted(exchange_placeholders(msgid)) == sorted(exchange_placeholders(translation)), msgid
    assert missing == []


def exchange_placeholders(text: str) -> list[str]:
    return re.findall(r"\{[a-z_]+\}", text)


async def test_an_imported_refusal_needs_a_reason_the_citizen_can_act_on(app: HoTro, tmp_path: Path) -> None:
    """A refusal imported with "sai" was sent to the citizen as the whole reason; the chat and the web console
    ask for three words at least (handlers/review/reasons.py), and so does the import."""
    a, b, _c, _d, _e = await five_forwarded(app)
    official = await commune_official(app)
    out = tmp_path / "xa.xlsx"
    await export(app, out, kind="household_business")
    wb = load_workbook(out)
    ws = wb.active
    fill(ws, row_of(ws, a.code), result="Từ chối", result_note="sai")
    fill(ws, row_of(ws, b.code), result="Từ chối", result_note="Không thuộc đối tượng hỗ trợ")
    path = tmp_path / "tu-choi.xlsx"
    wb.save(path)
    report = await exchange.import_file(
        app.sessions, path, official=official, actor="official:1", now=NOW, protector=app.protector
    )
    assert [line for line, _msg in report.errors] == [row_of(ws, a.code)], report.errors
    assert "ghi rõ" in report.errors[0][1], report.errors
