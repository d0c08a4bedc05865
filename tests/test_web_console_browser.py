"""The officials' web console in a real browser: Playwright driving Debian's headless Chromium against the
console served as `hotro serve` serves it, while the citizen chats through the engine in the same test.

Outside CI the test is skipped, with a note, when Chromium is not installed (`apt-get install chromium`);
with CI=true it must run. Playwright's own browser downloads are never used. A failing test leaves a
screenshot in test-results/ (tests/conftest.py records the outcome for the fixture)."""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from openpyxl import load_workbook
from sqlalchemy import update

from bot.app import HoTro
from bot.web import build_web_app
from handlers import app_code
from messages import fmt
from storage.models import Application
from tests.applications import NHAT_TIEN, submit_household
from tests.chat import Chat
from tests.console_client import make_official
from tests.test_review import reload

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-results"
OTHER_COMMUNE = 6430


def chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = "Chromium is not installed (apt-get install -y chromium): the browser tests need it"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and CI=true requires them to run")
    pytest.skip(f"{message}; skipped outside CI")


@pytest.fixture
async def console_url(app: HoTro) -> AsyncIterator[str]:
    """The web app of `hotro serve` on a loopback port (the admins' page makes links to it)."""
    runner = web.AppRunner(build_web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    app.settings.public_url = f"http://127.0.0.1:{port}"
    yield app.settings.public_url
    await runner.cleanup()


@pytest.fixture
async def chromium_browser() -> AsyncIterator[object]:
    executable = chromium_or_skip()
    async with playwright_api.async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture
async def browser_page(chromium_browser: object, request: pytest.FixtureRequest) -> AsyncIterator[object]:
    context = await chromium_browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True)  # type: ignore[attr-defined]
    tab = await context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        await tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    await context.close()


async def test_officials_journey_in_the_browser(
    app: HoTro, console_url: str, browser_page: object, chromium_browser: object, tmp_path: Path
) -> None:
    p = browser_page  # a playwright Page
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    neighbour = await submit_household(app, Chat(app, "neighbour"), id_number="001 085 012 346")
    elsewhere = await submit_household(app, Chat(app, "elsewhere"), id_number="001 085 012 347")
    async with app.sessions.begin() as session:
        await session.execute(
            update(Application).where(Application.id == elsewhere.id).values(commune_code=OTHER_COMMUNE)
        )
    await make_official(app, "xa", "commune", NHAT_TIEN)
    official_chat = Chat(app, "xa")

    # Log in by the link /dangnhap sends.
    await official_chat.say("/dangnhap")
    sent = re.search(r"http://\S+(/canbo/login/\S+)", official_chat.last_text)
    assert sent is not None
    link = [console_url + sent[1]]  # the bot's public URL is the default one; the test server's port differs
    await p.goto(link[0])  # type: ignore[attr-defined]
    await p.click("#login")  # type: ignore[attr-defined]
    await p.wait_for_url(f"{console_url}/canbo/")  # type: ignore[attr-defined]
    assert "Tổng số hồ sơ" in await p.inner_text("main")  # type: ignore[attr-defined]

    # The link works once: a second browser cannot use it.
    other = await chromium_browser.new_context()  # type: ignore[attr-defined]
    second = await other.new_page()
    response = await second.goto(link[0])
    assert response.status == 410 and "Không dùng được liên kết này" in await second.inner_text("main")
    await other.close()

    # Filter, then search.
    await p.click("text=Hồ sơ")  # type: ignore[attr-defined]
    await p.select_option("select[name=trang-thai]", "submitted")  # type: ignore[attr-defined]
    await p.click("button:has-text('Lọc')")  # type: ignore[attr-defined]
    listed = await p.inner_text("table")  # type: ignore[attr-defined]
    assert app_code.display(application.code) in listed and app_code.display(neighbour.code) in listed
    assert app_code.display(elsewhere.code) not in listed  # another commune's
    await p.fill("input[name=q]", "001 085 012 345")  # type: ignore[attr-defined]
    await p.click("button:has-text('Lọc')")  # type: ignore[attr-defined]
    listed = await p.inner_text("table")  # type: ignore[attr-defined]
    assert app_code.display(application.code) in listed and app_code.display(neighbour.code) not in listed

    # Open it and ask for information, with the confirmation step.
    await p.click(f"text={app_code.display(application.code)}")  # type: ignore[attr-defined]
    assert "001085012345" in await p.inner_text("dl.fields")  # type: ignore[attr-defined]
    await p.click("text=Yêu cầu bổ sung thông tin")  # type: ignore[attr-defined]
    await p.fill("textarea[name=note]", "Vui lòng gửi ảnh thông báo tạm ngừng kinh doanh")  # type: ignore[attr-defined]
    await p.click("#continue")  # type: ignore[attr-defined]
    assert "Vui lòng kiểm tra" in await p.inner_text("main")  # type: ignore[attr-defined]
    await p.click("#confirm")  # type: ignore[attr-defined]
    assert "Đã lưu" in await p.inner_text("main")  # type: ignore[attr-defined]
    assert "Vui lòng gửi ảnh thông báo" in citizen.last_text

    # The citizen answers in the chat; the answer shows on the page.
    await citizen.press("Trả lời")
    await citizen.say("Tôi sẽ nộp bản chụp tại UBND xã sáng mai")
    await p.reload()  # type: ignore[attr-defined]
    assert "Tôi sẽ nộp bản chụp tại UBND xã sáng mai" in await p.inner_text("#answers")  # type: ignore[attr-defined]

    # Approve with a decision number and date (the amount is prefilled).
    await p.click("text=Ghi nhận phê duyệt")  # type: ignore[attr-defined]
    await p.fill("input[name=decision_number]", "88/QĐ-UBND")  # type: ignore[attr-defined]
    await p.click("#continue")  # type: ignore[attr-defined]
    await p.click("#confirm")  # type: ignore[attr-defined]
    assert (await reload(app, application)).status == "approved"
    assert "88/QĐ-UBND" in citizen.last_text

    # Export the list, fill in the district's columns, import it back.
    await p.goto(f"{console_url}/canbo/ho-so")  # type: ignore[attr-defined]
    async with p.expect_download() as download_info:  # type: ignore[attr-defined]
        await p.click("#export")  # type: ignore[attr-defined]
    download = await download_info.value
    exported = tmp_path / "ds.xlsx"
    await download.save_as(exported)
    workbook = load_workbook(io.BytesIO(exported.read_bytes()))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_no = next(i for i, row in enumerate(rows) if "Mã hồ sơ" in [str(v) for v in row])
    headers = [str(v) for v in rows[header_no]]

    def column(prefix: str) -> int:
        return next(i for i, h in enumerate(headers) if h.startswith(prefix)) + 1

    today = fmt.day(fmt.today_local())
    for line, row in enumerate(rows[header_no + 1 :], start=header_no + 2):
        code = app_code.normalize(str(row[column("Mã hồ sơ") - 1] or ""))
        if code == application.code:
            sheet.cell(line, column("Kết quả"), "Đã chi trả")
            sheet.cell(line, column("Số tiền chi trả"), 3_000_000)
            sheet.cell(line, column("Ngày chi trả"), today)
        elif code == neighbour.code:
            sheet.cell(line, column("Kết quả"), "Từ chối")
            sheet.cell(line, column("Lý do"), "Không thuộc đối tượng hỗ trợ")
    result_sheet = tmp_path / "ket-qua.xlsx"
    workbook.save(result_sheet)
    await p.click("text=Nhập kết quả")  # type: ignore[attr-defined]
    await p.set_input_files("input[name=tep]", str(result_sheet))  # type: ignore[attr-defined]
    await p.click("#upload")  # type: ignore[attr-defined]
    assert "Đã cập nhật 2 dòng" in await p.inner_text("#summary")  # type: ignore[attr-defined]
    assert (await reload(app, application)).status == "paid"
    assert (await reload(app, neighbour)).status == "rejected"
    assert "Không thuộc đối tượng hỗ trợ" in Chat(app, "neighbour").last_text

    # Area scope: another commune's application is not found, as a missing one.
    response = await p.goto(f"{console_url}/canbo/ho-so/{elsewhere.code}")  # type: ignore[attr-defined]
    assert response.status == 404 and "không thuộc địa bàn" in await p.inner_text("main")  # type: ignore[attr-defined]

    # CSRF: the session's cookie alone does not make a change.
    forged = await p.request.post(  # type: ignore[attr-defined]
        f"{console_url}/canbo/ho-so/{elsewhere.code}/thao-tac/rejected", form={"note": "x", "confirm": "1"}
    )
    assert forged.status == 403
    forged = await p.request.post(f"{console_url}/canbo/dang-xuat", form={})  # type: ignore[attr-defined]
    assert forged.status == 403

    # Phone-sized screen: the application page still reads (no horizontal scrolling of the fields).
    await p.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    await p.goto(f"{console_url}/canbo/ho-so/{application.code}")  # type: ignore[attr-defined]
    width = await p.evaluate("document.querySelector('dl.fields').scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390


def test_without_chromium_the_browser_tests_skip_outside_ci_and_fail_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(__import__(__name__, fromlist=["CHROMIUM"]), "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="skipped outside CI"):
        chromium_or_skip()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true requires them"):
        chromium_or_skip()


async def test_a_rejection_is_chosen_among_the_policys_reasons_in_the_browser(
    app: HoTro, console_url: str, browser_page: object
) -> None:
    p = browser_page  # a playwright Page
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    await make_official(app, "xa", "commune", NHAT_TIEN)
    official_chat = Chat(app, "xa")
    await official_chat.say("/dangnhap")
    sent = re.search(r"http://\S+(/canbo/login/\S+)", official_chat.last_text)
    assert sent is not None
    await p.goto(console_url + sent[1])  # type: ignore[attr-defined]
    await p.click("#login")  # type: ignore[attr-defined]
    await p.goto(f"{console_url}/canbo/ho-so/{application.code}/thao-tac/rejected")  # type: ignore[attr-defined]
    await p.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    width = await p.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390  # the reasons wrap on a phone
    await p.fill("textarea[name=note]", "sai")  # type: ignore[attr-defined]
    await p.click("#continue")  # type: ignore[attr-defined]
    assert "ghi rõ lý do" in await p.inner_text("main")  # type: ignore[attr-defined]
    await p.check("text=Tạm ngừng dưới 15 ngày")  # type: ignore[attr-defined]
    await p.click("#continue")  # type: ignore[attr-defined]
    await p.click("#confirm")  # type: ignore[attr-defined]
    await p.wait_for_url(re.compile(r".*\?xong=rejected$"))  # type: ignore[attr-defined]
    reloaded = await reload(app, application)
    assert reloaded.status == "rejected" and "chưa đủ 15 ngày liên tục" in (reloaded.rejection_reason or "")
    assert "chưa đủ 15 ngày liên tục" in citizen.last_text
