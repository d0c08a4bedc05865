"""Issue 14, what officials see: their own confirmation wording, a labelled application view with
the citizen's answer, and an export with everything the citizen entered."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from bot import exchange
from bot.app import HoTro
from handlers import app_code
from storage.models import Application
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat
from tests.test_exchange import NOW, add_application, export, protector_of
from tests.test_review import register_official

CITIZEN_WORDING = ("Xác nhận và gửi hồ sơ", "Vui lòng xác nhận thay đổi sau")


async def _official(app: HoTro) -> Chat:
    await register_official(app, "xa", "commune", NHAT_TIEN)
    return Chat(app, "xa")


async def test_confirmation_screens_for_officials_have_their_own_wording(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    official = await _official(app)
    await official.tap(f"of:o:{application.id}")
    await official.press("Chuyển UBND huyện")
    assert "Chuyển UBND huyện" in official.transport.texts("xa")[-2]  # capitalised, not "chuyển ubnd huyện"
    assert "chuyển ubnd huyện" not in official.all_text()
    summary = official.last_text
    for words in CITIZEN_WORDING:
        assert words not in summary
    assert app_code.display(application.code) in summary and "Nguyễn Văn An" in summary
    labels = [b["label"] for b in official.buttons()]
    assert not any("Sửa" in label for label in labels)  # nothing to edit: no button to an empty menu
    assert any("Xác nhận thay đổi" in label for label in labels)
    await official.press("Xác nhận thay đổi")

    await official.tap(f"of:o:{application.id}")
    await official.press("Ghi nhận phê duyệt")
    await official.say("1234/QĐ-UBND")
    await official.say("hôm nay")
    await official.press("Sửa nội dung")
    edit = [b["label"] for b in official.buttons()]
    assert "Số quyết định" in edit and len(edit) >= 3  # the fields to correct, not an empty list


async def test_application_view_labels_every_field(app: HoTro) -> None:
    application = await submit_household(app, Chat(app, "citizen"))
    official = await _official(app)
    await official.tap(f"of:o:{application.id}")
    view = official.last_text
    for line in (
        "Loại hình kinh doanh: Có đăng ký kinh doanh / có mã số thuế",
        "Tên hộ kinh doanh: Phở Lan",
        "Ngành nghề kinh doanh: bán phở",
        "Địa chỉ: thôn Đồng Lâm",
        "Văn bản yêu cầu tạm ngừng kinh doanh: Thông báo số 15/TB-UBND",
    ):
        assert line in view, line
    assert "\n• Phở Lan" not in view  # no unlabelled values


async def test_application_view_shows_a_free_workers_sex(app: HoTro) -> None:
    async with app.sessions.begin() as session:
        worker = await add_application(
            session,
            protector_of(app),
            id_number="020185000004",
            kind="free_worker",
            status="submitted",
            fields={"occupation": "Bốc vác", "workplace": "chợ Hữu Lũng", "home_address": "xóm Chùa"},
        )
    official = await _official(app)
    await official.tap(f"of:o:{worker.id}")
    view = official.last_text
    assert "Giới tính: Nữ" in view and "Nơi làm việc: chợ Hữu Lũng" in view


async def test_application_view_shows_the_citizens_answer(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    official = await _official(app)
    await official.tap(f"of:t:{application.id}:needs_info")
    await official.say("Vui lòng cho biết số nhà")
    await official.press("Xác nhận")
    await citizen.press("Trả lời")
    await citizen.say("Số nhà 12, thôn Đồng Lâm")
    await official.tap(f"of:o:{application.id}")
    assert "Số nhà 12, thôn Đồng Lâm" in official.last_text


# ---- the export ---------------------------------------------------------------------------------
def _header(ws: object) -> list[str]:
    return [c.value for c in ws[exchange.HEADER_ROW]]  # type: ignore[index]


async def test_export_has_everything_the_citizen_entered(app: HoTro, tmp_path: Path) -> None:
    protector = protector_of(app)
    async with app.sessions.begin() as session:
        household = await add_application(
            session,
            protector,
            id_number="020085000001",
            bank_account="123456789012",
            fields={
                "category": "registered",
                "business_name": "Phở Lan",
                "business_line": "bán phở",
                "tax_code": "0100109106",
                "address": "thôn Đồng Lâm",
                "order": "Chỉ thị 16",
            },
        )
        household.account_holder = "Nguyễn Văn An"
        await add_application(
            session,
            protector,
            id_number="020185000004",
            kind="free_worker",
            fields={"occupation": "Bốc vác", "workplace": "chợ Hữu Lũng", "home_address": "xóm Chùa"},
        )
    out = tmp_path / "xa.xlsx"
    assert await export(app, out) == 2
    wb = load_workbook(out)
    households, workers = wb["Hộ kinh doanh"], wb["Lao động tự do"]

    def value(ws: object, kind: str, key: str) -> object:
        return ws.cell(row=exchange.DATA_SHEET_ROW, column=exchange.sheet_keys(kind).index(key) + 1).value  # type: ignore[attr-defined]

    hkd = "household_business"
    assert value(households, hkd, "tax_code") == "0100109106"
    assert value(households, hkd, "order") == "Chỉ thị 16"
    assert value(households, hkd, "account_holder") == "Nguyễn Văn An"
    assert value(households, hkd, "category") == "Có đăng ký kinh doanh / có mã số thuế"
    assert value(workers, "free_worker", "workplace") == "chợ Hữu Lũng"
    worker_header = _header(workers)
    assert "Ngành nghề / Tên hộ kinh doanh" not in worker_header and "Mã số thuế" not in " ".join(worker_header)
    assert "Công việc trước khi mất việc" in worker_header and "Nơi làm việc" in worker_header
    assert "Loại hình hộ kinh doanh" in _header(households) and "Nơi làm việc" not in _header(households)


async def test_import_reads_the_free_workers_sheet_with_its_headings(app: HoTro, tmp_path: Path) -> None:
    async with app.sessions.begin() as session:
        worker = await add_application(
            session, protector_of(app), id_number="020185000004", kind="free_worker", fields={"workplace": "chợ"}
        )
    out = tmp_path / "xa.xlsx"
    await export(app, out, kind="free_worker")
    wb = load_workbook(out)
    ws = wb.active
    keys = exchange.sheet_keys("free_worker")
    ws.cell(row=exchange.DATA_SHEET_ROW, column=keys.index("result") + 1, value="Từ chối")
    ws.cell(row=exchange.DATA_SHEET_ROW, column=keys.index("result_note") + 1, value="Không thuộc đối tượng")
    wb.save(out)
    report = await exchange.import_file(
        app.sessions, out, official=None, actor="official:9", now=NOW, protector=app.protector
    )
    assert report.errors == [] and report.applied["rejected"] == 1
    async with app.sessions() as session:
        assert (await session.get(Application, worker.id)).status == "rejected"  # type: ignore[union-attr]
