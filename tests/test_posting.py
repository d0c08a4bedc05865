"""Issue 17, public posting (niêm yết công khai): the list a commune posts after a decision (seed 002, III.5).

The files never hold a full ID number, a phone or an account: each test searches the produced PDF (its text
read back with pypdf), HTML and XLSX for every one of them."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from bot import posting_cli
from bot.app import HoTro
from bot.config import Settings
from bot.web import build_web_app
from handlers.lookup import chat as status
from handlers.posting import files as posting_files
from handlers.posting import service as posting
from handlers.report.service import render_report
from messages import fmt
from storage.applications import seal_person
from storage.models import Application, DecisionPosting
from storage.officials import add_official, scope
from storage.report_figures import area_report
from tests.applications import NHAT_TIEN
from tests.chat import Chat
from tests.fakes.telegram_api import FakeTelegram
from tests.test_exchange import NOW, TODAY, add_application, protector_of
from tests.test_review import register_official
from tests.tg_driver import telegram_user

NHAT_TIEN_OTHER = 6382  # Xã Nhất Tiến, another commune
D1, D1_DATE = "1234/QĐ-UBND", date(2021, 9, 1)
D2, D2_DATE = "1300/QĐ-UBND", date(2021, 9, 12)

# (name, ID number, phone, bank account, address, kind, decision, commune, status)
PEOPLE = [
    ("Nguyễn Văn An", "001085012345", "0912345671", "123456789012", "Số nhà 12, thôn Đồng Lâm", "hkd", D1),
    ("Trần Thị Bích", "020185000004", "0388123452", None, "xóm Chùa", "ldtd", D1),
    ("Lê Văn Cường", "020090000123", "0977000113", "998877665544", "Bản Khánh, gần chợ", "hkd", D2),
    ("Hoàng Thị Dung", "020192004567", "0865432104", None, "123 đường Trần Phú", "ldtd", D2),
]
NOT_LISTED = [  # another commune, and an application without a decision
    ("Phạm Văn Em", "020088000777", "0912000775", None, "thôn Nà Lừa", "hkd", D1, NHAT_TIEN_OTHER, "approved"),
    ("Vũ Thị Gấm", "020193000888", "0912000886", None, "thôn Đồng Lâm", "hkd", None, NHAT_TIEN, "forwarded"),
]


async def seed(app: HoTro) -> list[Application]:
    protector = protector_of(app)
    made = []
    rows = [(*p, NHAT_TIEN, "approved") for p in PEOPLE] + NOT_LISTED
    async with app.sessions.begin() as session:
        for name, id_number, phone, account, address, kind, decision, commune, state in rows:
            policy = "household_business" if kind == "hkd" else "free_worker"
            key = "address" if kind == "hkd" else "home_address"
            application = await add_application(
                session,
                protector,
                id_number=id_number,
                name=name,
                kind=policy,
                commune=commune,
                status=state,
                bank_account=account,
                fields={key: address},
            )
            seal_person(application, protector, phone, date(1985, 7, 5))
            if decision is not None:
                application.decision_number = decision
                application.decision_date = D1_DATE if decision == D1 else D2_DATE
                application.approved_amount = 3_000_000 if kind == "hkd" else 1_500_000
            made.append(application)
    return made


def secrets() -> list[str]:
    """Every full ID number, phone and account of the seeded people, in each spelling they could take."""
    found = []
    for person in PEOPLE + [p[:7] for p in NOT_LISTED]:
        for value in (person[1], person[2], person[3]):
            if value:
                found += [value, value[1:], value[:-1]]  # no run of 11 of the 12 digits either
    return found


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="hotro")
    posting_cli.add_commands(parser.add_subparsers(dest="command"))
    return parser.parse_args(["posting", *argv])


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def xlsx_text(path: Path) -> str:
    wb = load_workbook(path)
    return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)


def test_an_id_number_is_masked_to_at_most_four_and_two_digits() -> None:
    assert posting.mask_id("001085012345") == "0010******45"
    assert posting.mask_id("123456789") == "12*****89"  # an old CMND shows fewer
    for number in ("001085012345", "123456789", "12345"):
        masked = posting.mask_id(number)
        assert len(masked) == len(number) and sum(ch.isdigit() for ch in masked) <= 6
        assert masked != number


@pytest.mark.parametrize(
    ("address", "village"),
    [
        ("Số nhà 12, thôn Đồng Lâm", "Thôn Đồng Lâm"),
        ("xóm Chùa", "Xóm Chùa"),
        ("Bản Khánh, gần chợ", "Bản Khánh"),
        ("thon Dong Lam, xa Nhat Tien", "Thon Dong Lam"),
        ("Tổ dân phố 3, thị trấn", "Tổ dân phố 3"),
        ("Ấp 4", "Ấp 4"),
        ("123 đường Trần Phú", ""),
        ("Số 5 đường Tô Hiệu", ""),  # a street named after a person, not a tổ
        ("Tổ 5, phường Chi Lăng", "Tổ 5"),
        ("Khu phố 2", "Khu phố 2"),
        ("", ""),
    ],
)
def test_the_village_is_read_from_the_address(address: str, village: str) -> None:
    assert posting.village_of(address) == village


@pytest.mark.parametrize("suffix", ["pdf", "html", "xlsx"])
async def test_the_posting_list_never_holds_a_full_id_a_phone_or_an_account(
    app: HoTro, settings: Settings, tmp_path: Path, suffix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed(app)
    out = tmp_path / f"niem-yet.{suffix}"
    args = parse("--area", str(NHAT_TIEN), "--out", str(out))
    await args.func(settings, args)
    text = {"pdf": pdf_text, "xlsx": xlsx_text}.get(suffix, lambda p: p.read_text(encoding="utf-8"))(out)
    compact = text.replace(" ", "").replace(".", "")
    for secret in secrets():
        assert secret not in compact, secret
    # What the list does show: the title, both decisions, each person with a masked number and the village.
    assert "DANH SÁCH NIÊM YẾT CÔNG KHAI KẾT QUẢ HỖ TRỢ" in text
    assert "Quyết định số 1234/QĐ-UBND ngày 01/09/2021" in text and "1300/QĐ-UBND" in text
    for name, id_number, *_rest in PEOPLE:
        assert name in text and posting.mask_id(id_number) in text
    assert "Thôn Đồng Lâm" in text and "Xóm Chùa" in text and "Bản Khánh" in text
    assert "Phạm Văn Em" not in text and "Vũ Thị Gấm" not in text  # another commune; no decision yet
    assert "9.000.000" in text  # 3.000.000 + 1.500.000 + 3.000.000 + 1.500.000
    assert str(out.resolve()) in capsys.readouterr().out


async def test_the_pdf_is_a_printable_a4_page_with_vietnamese_text(
    app: HoTro, settings: Settings, tmp_path: Path
) -> None:
    await seed(app)
    out = tmp_path / "a4.pdf"
    args = parse("--area", str(NHAT_TIEN), "--out", str(out))
    await args.func(settings, args)
    page = PdfReader(out).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    assert "ỦY BAN NHÂN DÂN XÃ NHẬT TIẾN" in page.extract_text()


async def test_a_decision_or_a_period_chooses_the_rows(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    await seed(app)
    one = tmp_path / "d1.html"
    args = parse("--area", str(NHAT_TIEN), "--decision", D1, "--out", str(one))
    await args.func(settings, args)
    html = one.read_text(encoding="utf-8")
    assert "Nguyễn Văn An" in html and "Trần Thị Bích" in html and "Lê Văn Cường" not in html
    period = tmp_path / "p.xlsx"
    args = parse("--area", str(NHAT_TIEN), "--from", "2021-09-10", "--to", "2021-09-30", "--out", str(period))
    await args.func(settings, args)
    text = xlsx_text(period)
    assert "Lê Văn Cường" in text and "Nguyễn Văn An" not in text
    with pytest.raises(SystemExit, match="không có gì để niêm yết"):
        args = parse("--area", str(NHAT_TIEN), "--decision", "9/QĐ", "--out", str(tmp_path / "none.pdf"))
        await args.func(settings, args)
    with pytest.raises(SystemExit, match=r"\.pdf, \.html hoặc \.xlsx"):
        args = parse("--area", str(NHAT_TIEN), "--out", str(tmp_path / "x.docx"))
        await args.func(settings, args)
    with pytest.raises(SystemExit, match="của một xã"):
        args = parse("--area", "186", "--out", str(tmp_path / "x.pdf"))
        await args.func(settings, args)


async def test_a_missing_font_is_a_clear_message(app: HoTro, settings: Settings, tmp_path: Path) -> None:
    await seed(app)
    settings.pdf_font = tmp_path / "no-such-font.ttf"
    args = parse("--area", str(NHAT_TIEN), "--out", str(tmp_path / "x.pdf"))
    with pytest.raises(SystemExit, match="fonts-dejavu-core"):
        await args.func(settings, args)


async def test_the_posting_date_the_deadline_the_report_and_the_citizens_status(
    app: HoTro, settings: Settings, tmp_path: Path
) -> None:
    made = await seed(app)
    async with app.sessions.begin() as session:
        official = await add_official(session, "test", "xa", "commune", NHAT_TIEN, None)
    async with app.sessions() as session:
        data = await area_report(session, scope(official), TODAY, NOW)
        # D1 of 01/09 was due 06/09 and D2 of 12/09 is due 17/09: on 15/09 one decision is overdue.
        assert data.overdue_posting == 1
        assert "Quá hạn niêm yết (chưa niêm yết trong 5 ngày kể từ ngày quyết định): 1 quyết định" in render_report(
            data, "Xã Nhật Tiến", TODAY
        )
        before = await status.describe(session, made[0])
    assert "Chưa niêm yết công khai tại xã (hạn niêm yết: 06/09/2021)." in before

    args = parse(
        "--area", str(NHAT_TIEN), "--decision", D1, "--posted-on", "2021-09-04", "--out", str(tmp_path / "x.pdf")
    )
    await args.func(settings, args)
    async with app.sessions() as session:
        posted = (await session.execute(select(DecisionPosting))).scalar_one()
        assert (posted.commune_code, posted.decision_number, posted.posted_on) == (NHAT_TIEN, D1, date(2021, 9, 4))
        assert posted.recorded_by.startswith("cli:")
        data = await area_report(session, scope(official), TODAY, NOW)
        assert data.overdue_posting == 0
        assert "Đã niêm yết công khai tại UBND xã ngày 04/09/2021." in await status.describe(session, made[0])
        later = await area_report(session, scope(official), D2_DATE + timedelta(days=6), NOW)
        assert later.overdue_posting == 1  # D2 is now late too


async def test_an_official_records_the_posting_in_the_chat(app: HoTro) -> None:
    made = await seed(app)
    await register_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.say("/canbo")
    await official.press("Niêm yết công khai")
    labels = [b["label"] for b in official.buttons()]
    assert any(label.startswith("⚠️ 1234/QĐ-UBND") for label in labels), labels
    await official.press("1234/QĐ-UBND")
    view = official.last_text
    assert "Quyết định số 1234/QĐ-UBND ngày 01/09/2021" in view and "0010******45" in view
    assert "001085012345" not in official.all_text() and "Thôn Đồng Lâm" in view
    await official.press("Ghi nhận: đã niêm yết hôm nay")
    await official.press("Xác nhận")
    today = fmt.today_local()
    assert f"niêm yết tại Xã Nhật Tiến, Huyện Hữu Lũng, Tỉnh Lạng Sơn ngày {fmt.day(today)}" in official.last_text
    async with app.sessions() as session:
        posted = (await session.execute(select(DecisionPosting))).scalar_one()
    assert posted.posted_on == today and posted.decision_number == D1
    # Another commune's official cannot open or record it.
    await register_official(app, "other", "commune", NHAT_TIEN_OTHER)
    other = Chat(app, "other")
    await other.tap(f"pst:y:{made[2].id}")
    assert "không thuộc địa bàn" in other.last_text
    async with app.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(DecisionPosting))).scalar_one() == 1


async def test_the_public_page_is_off_by_default_and_shows_only_posted_masked_lists(app: HoTro) -> None:
    await seed(app)
    async with app.sessions.begin() as session:
        await posting.record_posting(
            session, commune_code=NHAT_TIEN, decision_number=D2, posted_on=date(2021, 9, 13), actor="cli:t", now=NOW
        )
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get(f"/cong-khai/{NHAT_TIEN}")).status == 404
    finally:
        await client.close()
    app.settings.public_posting_page = True
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.get(f"/cong-khai/{NHAT_TIEN}")
        assert response.status == 200 and response.content_type == "text/html"
        page = await response.text()
        assert "Lê Văn Cường" in page and posting.mask_id("020090000123") in page
        assert "Nguyễn Văn An" not in page  # decision 1234 was not posted: not public
        for secret in secrets():
            assert secret not in page
        assert (await client.get("/cong-khai/999999")).status == 404
        assert (await client.get("/cong-khai/abc")).status == 404
    finally:
        await client.close()


async def test_posting_through_telegram_official_records_and_citizen_sees_it(
    app: HoTro, fake_telegram: FakeTelegram, client: TestClient
) -> None:
    made = await seed(app)
    async with app.sessions.begin() as session:
        await add_official(session, "telegram", "7101", "commune", NHAT_TIEN, None)
        mine = await session.get(Application, made[0].id)
        assert mine is not None
        mine.chat_id = "7102"  # Nguyễn Văn An's application is this Telegram user's
    official = telegram_user(client, fake_telegram, app, 7101)
    citizen = telegram_user(client, fake_telegram, app, 7102)
    await citizen.say("/hoso")
    assert "Chưa niêm yết công khai tại xã (hạn niêm yết: 06/09/2021)." in "\n".join(fake_telegram.texts_to(7102))
    await official.say("/canbo")
    await official.press("Niêm yết công khai")
    await official.press("1234/QĐ-UBND")
    assert "0010******45" in official.last_text and "001085012345" not in official.last_text
    await official.press("Ghi nhận: đã niêm yết hôm nay")
    await official.press("Xác nhận")
    assert "Đã ghi nhận: quyết định 1234/QĐ-UBND niêm yết" in official.last_text
    await citizen.say("/hoso")
    today = fmt.day(fmt.today_local())
    assert f"Đã niêm yết công khai tại UBND xã ngày {today}." in "\n".join(fake_telegram.texts_to(7102)[-3:])


def test_a_long_list_runs_over_pages_with_the_heading_repeated_and_long_cells_wrapped(tmp_path: Path) -> None:
    rows = [
        posting.PostingRow(i, f"Nguyễn Văn Thành {i}", "0200******12", "Thôn Đồng Lâm", "Hộ kinh doanh", 3_000_000, D1)
        for i in range(1, 121)
    ]
    rows[59] = posting.PostingRow(
        60,
        "Tôn Nữ Thị Hoàng Phương Thảo Nguyên",
        "0200******12",
        "Thôn Khuôn Van Kéo Tà",
        "Lao động tự do",
        1_500_000,
        D1,
    )
    listed = posting.PostingList(NHAT_TIEN, "Xã Nhật Tiến", "Huyện Hữu Lũng, Tỉnh Lạng Sơn", TODAY, [], rows)
    out = tmp_path / "long.pdf"
    posting_files.write_pdf(listed, out)
    pages = PdfReader(out).pages
    assert len(pages) >= 3
    text = "\n".join(page.extract_text() for page in pages)
    assert text.count("STT") == len(pages)  # the heading row on every page
    for i in (1, 59, 61, 120):
        assert f"Nguyễn Văn Thành {i}" in text
    assert "Tôn Nữ Thị Hoàng Phương\nThảo Nguyên" in text  # wrapped onto a second line, not cut off
