"""The officials' web console through aiohttp's test client: login by one-time link, session, CSRF,
area scope, the list and search, actions with confirmation, bulk actions, XLSX import problems,
announcements and the officials' page. (The browser journey is tests/test_web_console_browser.py.)"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from bot.app import HoTro
from bot.web import build_web_app
from handlers import app_code
from messages import fmt
from storage import login_tokens
from storage.models import Application, Attachment, AuditLog, Broadcast, LoginToken, Official, StatusEvent
from tests.applications import HUU_LUNG, NHAT_TIEN, submit_household
from tests.chat import Chat
from tests.console_client import Console, login_token, make_official
from tests.fakes.telegram_api import FakeTelegram
from tests.test_review import reload

OTHER_COMMUNE, OTHER_DISTRICT = 6430, 186  # another commune of Hữu Lũng (GSO)


async def _submitted(app: HoTro, user: str = "citizen", id_number: str = "001 085 012 345") -> Application:
    return await submit_household(app, Chat(app, user), id_number=id_number)


async def _move_to_commune(app: HoTro, application: Application, commune: int) -> None:
    async with app.sessions.begin() as session:
        await session.execute(update(Application).where(Application.id == application.id).values(commune_code=commune))


async def test_without_a_session_the_console_redirects_to_the_login_help(web: TestClient) -> None:
    for path in ("/canbo/", "/canbo/ho-so", "/canbo/ho-so/HK7QX4M9PR"):
        response = await web.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"] == "/canbo/dang-nhap"
    help_page = await (await web.get("/canbo/dang-nhap")).text()
    assert "/dangnhap" in help_page and "Đăng nhập" in help_page


async def test_login_link_is_single_use_expires_and_sets_a_safe_cookie(app: HoTro, web: TestClient) -> None:
    official = await make_official(app, "xa", "commune", NHAT_TIEN)
    token = await login_token(app, official)
    async with app.sessions() as session:
        stored = (await session.execute(select(LoginToken))).scalar_one()
    assert stored.token_hash == login_tokens.token_hash(token) and token not in stored.token_hash  # only the hash
    # Opening the link (as a chat's link preview does) does not use it up; pressing the button does.
    assert (await web.get(f"/canbo/login/{token}")).status == 200
    response = await web.post(f"/canbo/login/{token}", allow_redirects=False)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie and "/canbo" in cookie
    assert (await web.get("/canbo/", allow_redirects=False)).status == 200
    # Used: a second login with it fails, in a fresh browser too.
    web.session.cookie_jar.clear()
    assert (await web.post(f"/canbo/login/{token}", allow_redirects=False)).status == 410
    assert (await web.get(f"/canbo/login/{token}")).status == 410
    # Expired after ten minutes.
    async with app.sessions.begin() as session:
        old = await login_tokens.issue(session, official, datetime.now(UTC) - timedelta(minutes=11))
    assert (await web.post(f"/canbo/login/{old}", allow_redirects=False)).status == 410
    assert (await web.post("/canbo/login/not-a-token", allow_redirects=False)).status == 410


async def test_a_removed_official_is_logged_out_at_once(app: HoTro, web: TestClient) -> None:
    official = await make_official(app, "xa", "commune", NHAT_TIEN)
    console = Console(web)
    await console.login(app, official)
    async with app.sessions.begin() as session:
        await session.execute(update(Official).where(Official.id == official.id).values(active=False))
    response = await web.get("/canbo/ho-so", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/canbo/dang-nhap"


async def test_logout_ends_the_session_and_needs_the_csrf_token(app: HoTro, web: TestClient) -> None:
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    response = await web.post("/canbo/dang-xuat", data={}, allow_redirects=False)
    assert response.status == 403  # no CSRF token
    await console.post("/canbo/dang-xuat", {}, status=303)
    assert (await web.get("/canbo/", allow_redirects=False)).status == 302


async def test_every_change_without_the_csrf_token_is_refused(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    path = f"/canbo/ho-so/{application.code}/thao-tac/under_review"
    for data in ({"confirm": "1"}, {"confirm": "1", "csrf": "forged"}):
        response = await web.post(path, data=data, allow_redirects=False)
        assert response.status == 403
        assert "không gửi từ trang quản lý" in await response.text()
    assert (await reload(app, application)).status == "submitted"
    # The header works as well as the form field.
    response = await web.post(
        path, data={"confirm": "1"}, headers={"X-CSRF-Token": console.csrf}, allow_redirects=False
    )
    assert response.status == 303
    assert (await reload(app, application)).status == "under_review"


async def test_another_areas_application_answers_404_like_a_missing_one(app: HoTro, web: TestClient) -> None:
    mine = await _submitted(app)
    theirs = await _submitted(app, "other", id_number="001 085 012 346")
    await _move_to_commune(app, theirs, OTHER_COMMUNE)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await console.get(f"/canbo/ho-so/{mine.code}")
    other = await console.get(f"/canbo/ho-so/{theirs.code}", status=404)
    missing = await console.get("/canbo/ho-so/HK7QX4M9PR", status=404)
    assert "không thuộc địa bàn" in other and other.replace(theirs.code, "") == missing.replace("HK7QX4M9PR", "")
    await console.post(f"/canbo/ho-so/{theirs.code}/thao-tac/under_review", {"confirm": "1"}, status=404)
    listed = await console.get("/canbo/ho-so")
    assert mine.code in listed and theirs.code not in listed
    # The district official sees both, and may filter by commune.
    district = Console(TestClient(TestServer(web.server.app, host="127.0.0.1")))
    await district.client.start_server()
    try:
        await district.login(app, await make_official(app, "huyen", "district", HUU_LUNG))
        both = await district.get("/canbo/ho-so")
        assert mine.code in both and theirs.code in both
        only = await district.get(f"/canbo/ho-so?xa={OTHER_COMMUNE}")
        assert theirs.code in only and mine.code not in only
    finally:
        await district.client.close()


async def test_viewing_an_application_is_audited_and_shows_every_field(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    console = Console(web)
    official = await make_official(app, "xa", "commune", NHAT_TIEN)
    await console.login(app, official)
    page = await console.get(f"/canbo/ho-so/{application.code}")
    for text in ("001085012345", "0912345678", "Xã Nhật Tiến", "Phở Lan", "Đã nộp", "Lịch sử"):
        assert text in page, text
    async with app.sessions() as session:
        audits = (await session.execute(select(AuditLog).where(AuditLog.action == "view"))).scalars().all()
    assert [(a.actor, a.application_id) for a in audits] == [(f"official:{official.id}", application.id)]


async def test_the_history_names_the_officials_who_acted(app: HoTro, web: TestClient) -> None:
    """The history said "cán bộ #1": a colleague (or the Fatherland Front's monitor) could not tell who."""
    application = await _submitted(app)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))  # named "Cán bộ xa"
    await console.get(f"/canbo/ho-so/{application.code}")  # viewed: audited
    page = await console.get(f"/canbo/ho-so/{application.code}")
    history = page[page.index("Lịch sử") :]
    assert "Cán bộ xa" in history and "#" not in history.split("</table>")[0], history[:1500]


async def test_search_by_code_name_phone_and_id_number(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    other = await _submitted(app, "other", id_number="001 085 012 346")
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    display = app_code.display(application.code)
    for query in (display, display.lower(), "001085012345", "001 085 012 345", "Văn An", "văn an"):
        page = await console.get(f"/canbo/ho-so?q={query}")
        assert application.code in page, query
        if query not in ("Văn An", "văn an"):  # the two share the name
            assert other.code not in page, query
    assert "Không có hồ sơ nào" in await console.get("/canbo/ho-so?q=000000000000")
    short = await console.get("/canbo/ho-so?q=An")
    assert "ít nhất 3 chữ cái" in short and application.code not in short
    async with app.sessions() as session:
        lookups = (await session.execute(select(AuditLog.detail).where(AuditLog.action == "lookup"))).scalars().all()
    assert "web:number:1" in lookups and not any("001085012345" in (d or "") for d in lookups)


async def test_filters_and_paging_in_sql(app: HoTro, web: TestClient) -> None:
    first = await _submitted(app)
    second = await _submitted(app, "other", id_number="001 085 012 346")
    async with app.sessions.begin() as session:
        await session.execute(update(Application).where(Application.id == first.id).values(status="under_review"))
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    page = await console.get("/canbo/ho-so?trang-thai=under_review")
    assert first.code in page and second.code not in page
    page = await console.get("/canbo/ho-so?loai=free_worker")
    assert first.code not in page and second.code not in page
    page = await console.get("/canbo/ho-so?tu=2001-01-01&den=2001-01-02")
    assert first.code not in page
    page = await console.get("/canbo/ho-so?trang=99")  # past the end: the last page
    assert "Trang 1 trên 1" in page
    assert re.search(r"phù hợp\.\s+Trang 1 trên 1", page), "the count and the page run together"


async def test_ask_for_information_with_a_confirmation_then_the_citizen_answers(app: HoTro, web: TestClient) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    path = f"/canbo/ho-so/{application.code}/thao-tac/needs_info"
    form = await console.get(path)
    assert "Nội dung yêu cầu bổ sung" in form
    empty = await console.post(path, {"note": "  "}, status=400)
    assert "Bạn chưa nhập nội dung" in empty
    confirm = await console.post(path, {"note": "Gửi ảnh thông báo tạm ngừng"})
    assert "Xác nhận thay đổi" in confirm and (await reload(app, application)).status == "submitted"
    await console.post(path, {"note": "Gửi ảnh thông báo tạm ngừng", "confirm": "1"}, status=303)
    assert (await reload(app, application)).status == "needs_info"
    assert "Gửi ảnh thông báo tạm ngừng" in citizen.last_text  # the notice was delivered at once
    await citizen.press("Trả lời")
    await citizen.say("Tôi đã gửi ảnh qua bưu điện")
    page = await console.get(f"/canbo/ho-so/{application.code}")
    assert "Tôi đã gửi ảnh qua bưu điện" in page


async def test_a_rejection_offers_the_policys_reasons_and_refuses_a_bare_word(app: HoTro, web: TestClient) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    path = f"/canbo/ho-so/{application.code}/thao-tac/rejected"
    form = await console.get(path)
    reason = "Thời gian tạm ngừng kinh doanh chưa đủ 15 ngày liên tục trong thời gian từ 01/5/2021 đến 31/12/2021."
    assert reason in form and "Công việc không thuộc các ngành nghề" not in form  # the household's conditions
    short = await console.post(path, {"reason": "", "note": "không đủ"}, status=400)
    assert "ghi rõ lý do" in short
    confirm = await console.post(path, {"reason": reason, "note": ""})
    assert "Xác nhận thay đổi" in confirm and reason in confirm
    await console.post(path, {"note": reason, "confirm": "1"}, status=303)
    reloaded = await reload(app, application)
    assert (reloaded.status, reloaded.rejection_reason) == ("rejected", reason)
    assert "chưa đủ 15 ngày liên tục" in citizen.last_text


async def test_a_possible_duplicate_links_to_the_other_application(app: HoTro, web: TestClient) -> None:
    """The chat offers "Mở HK-…" under the warning; the page named the other code without a way to it."""
    first = await submit_household(app, Chat(app, "citizen"))
    second = await submit_household(app, Chat(app, "neighbour"), id_number="001 085 012 346")  # same name and birth
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    page = await console.get(f"/canbo/ho-so/{second.code}")
    assert app_code.display(first.code) in page
    assert f'href="/canbo/ho-so/{first.code}"' in page, page


async def test_approve_needs_a_decision_number_and_a_plausible_date(app: HoTro, web: TestClient) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    start = f"/canbo/ho-so/{application.code}/thao-tac/under_review"
    await console.post(start, {"confirm": "1"}, status=303)
    path = f"/canbo/ho-so/{application.code}/thao-tac/approved"
    bad = await console.post(path, {"decision_number": "", "decision_date": "2020-01-01", "amount": "abc"}, status=400)
    assert "Vui lòng chọn ngày" in bad and "đồng" in bad
    early = {"decision_number": "12/QĐ-UBND", "decision_date": "2021-09-25", "amount": "3.000.000"}
    refused = await console.post(path, {**early, "confirm": "1"}, status=400)  # filed today, decided in 2021
    assert "Ngày quyết định không thể trước ngày nộp hồ sơ" in refused
    assert (await reload(app, application)).status == "under_review"
    good = {**early, "decision_date": fmt.today_local().isoformat()}
    assert "3.000.000" in await console.post(path, good)
    await console.post(path, {**good, "confirm": "1"}, status=303)
    approved = await reload(app, application)
    assert approved.status == "approved" and approved.decision_number == "12/QĐ-UBND"
    assert approved.approved_amount == 3_000_000 and "12/QĐ-UBND" in citizen.last_text
    # Approving again: the lifecycle refuses, nothing changes.
    await console.post(path, {**good, "confirm": "1"}, status=409)


async def test_dates_are_typed_day_first_whatever_the_browsers_language(app: HoTro, web: TestClient) -> None:
    """A date picker shows the browser's order (mm/dd/yyyy in an English browser): "05/07" was then 7 May. The
    console asks for ngày/tháng/năm as text, as the chat does, and reads it day first."""
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await console.post(f"/canbo/ho-so/{application.code}/thao-tac/under_review", {"confirm": "1"}, status=303)
    path = f"/canbo/ho-so/{application.code}/thao-tac/approved"
    form = await console.get(path)
    assert 'type="date"' not in form and "ngày/tháng/năm" in form
    assert fmt.day(fmt.today_local()) in form  # today, prefilled as it reads
    typed = {"decision_number": "12/QĐ-UBND", "decision_date": fmt.day(fmt.today_local()), "amount": "3.000.000"}
    await console.post(path, {**typed, "confirm": "1"}, status=303)
    assert (await reload(app, application)).decision_date == fmt.today_local()
    listing = await console.get("/canbo/ho-so")
    assert 'type="date"' not in listing


async def test_bulk_approve_under_one_decision(app: HoTro, web: TestClient) -> None:
    a = await _submitted(app)
    b = await _submitted(app, "other", id_number="001 085 012 346")
    c = await _submitted(app, "third", id_number="001 085 012 347")
    async with app.sessions.begin() as session:
        await session.execute(update(Application).where(Application.id.in_([a.id, b.id])).values(status="under_review"))
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await console.get("/canbo/ho-so")
    today = fmt.today_local().isoformat()
    early = [("action", "approved"), ("decision_number", "77/QĐ-UBND"), ("decision_date", "2021-10-01")]
    refused = await console.post("/canbo/ho-so/hang-loat", [*early, ("ma", a.code), ("confirm", "1")], status=400)
    assert "Ngày quyết định không thể trước ngày nộp hồ sơ" in refused and (await reload(app, a)).status != "approved"
    data = [("action", "approved"), ("decision_number", "77/QĐ-UBND"), ("decision_date", today)]
    data += [("ma", x.code) for x in (a, b, c)] + [("ma", "HK7QX4M9PR")]  # c cannot be approved yet; one unknown
    confirm = await console.post("/canbo/ho-so/hang-loat", data)
    assert "Không thể thay đổi" in confirm and app_code.display(c.code) in confirm
    done = await console.post("/canbo/ho-so/hang-loat", [*data, ("confirm", "1")])
    assert "2 hồ sơ" in done
    statuses = {x.code: (await reload(app, x)).status for x in (a, b, c)}
    assert statuses == {a.code: "approved", b.code: "approved", c.code: "submitted"}
    # Bulk forward from the list.
    await console.post("/canbo/ho-so/hang-loat", [("action", "forwarded"), ("ma", c.code), ("confirm", "1")])
    assert (await reload(app, c)).status == "forwarded"


async def test_export_and_an_import_refused_with_its_problems(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    response = await web.get("/canbo/xuat")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(await response.read()))
    sheet = workbook.worksheets[0]
    header_row = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if "Mã hồ sơ" in [str(v) for v in row]
    )
    headers = [str(v) for v in next(sheet.iter_rows(min_row=header_row, max_row=header_row, values_only=True))]
    row = header_row + 1
    assert app_code.display(application.code) in [str(v) for v in sheet[row] if v is not None] or any(
        application.code in str(cell.value or "").replace("-", "") for cell in sheet[row]
    )
    result_column = next(i for i, h in enumerate(headers) if h.startswith("Kết quả")) + 1
    sheet.cell(row, result_column, "Phê duyệt")  # no decision number or date: a problem
    buffer = io.BytesIO()
    workbook.save(buffer)
    await console.get("/canbo/nhap")
    refused = await console.post("/canbo/nhap", {"tep": _upload(buffer.getvalue(), "ketqua.xlsx")}, status=422)
    assert "chưa nhập dòng nào" in refused and "dòng" in refused, refused[refused.find("<main>") :][:1500]
    assert (await reload(app, application)).status == "submitted"
    wrong = await console.post("/canbo/nhap", {"tep": _upload(b"hello", "notes.txt")}, status=400)
    assert ".xlsx" in wrong
    async with app.sessions() as session:
        exports = (await session.execute(select(func.count()).where(AuditLog.action == "export"))).scalar_one()
    assert exports == 1


def _upload(data: bytes, name: str) -> object:
    """A file field as aiohttp's client sends it (multipart, the file name from `.name`)."""
    field = io.BytesIO(data)
    field.name = name
    return field


async def test_the_daily_report_and_the_dashboard(app: HoTro, web: TestClient) -> None:
    await _submitted(app)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    dashboard = await console.get("/canbo/")
    assert "Tổng số hồ sơ" in dashboard and "<svg" in dashboard and "Số liệu lúc" in dashboard
    assert '<div class="n">1</div><div class="l">Tổng số hồ sơ' in dashboard
    await _submitted(app, "other", id_number="001 085 012 346")
    # The figures are kept for a minute per area; "Cập nhật" recomputes them.
    assert '<div class="n">1</div><div class="l">Tổng số hồ sơ' in await console.get("/canbo/")
    assert '<div class="n">2</div><div class="l">Tổng số hồ sơ' in await console.get("/canbo/?moi=1")
    report = await console.get("/canbo/bao-cao")
    assert "BÁO CÁO" in report
    response = await web.get("/canbo/bao-cao/tai-ve")
    assert response.status == 200 and "BÁO CÁO" in await response.text()


async def test_announcement_preview_counts_then_sends_and_can_be_stopped(app: HoTro, web: TestClient) -> None:
    await _submitted(app)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await console.get("/canbo/thong-bao")
    form = {"audience": "mine", "unit": "", "text": "Họp dân lúc 8 giờ sáng mai"}
    preview = await console.post("/canbo/thong-bao/xem-truoc", form)
    assert "Người nhận: 1" in preview and "Họp dân lúc 8 giờ sáng mai" in preview
    outside = await console.post("/canbo/thong-bao/xem-truoc", {**form, "audience": "all"}, status=400)
    assert "Chỉ cán bộ cấp tỉnh" in outside
    await console.post("/canbo/thong-bao/gui", form, status=303)
    async with app.sessions() as session:
        broadcast = (await session.execute(select(Broadcast))).scalar_one()
    assert broadcast.status == "queued" and broadcast.total == 1
    listed = await console.get("/canbo/thong-bao")
    assert "Họp dân" in listed and "Dừng" in listed
    await console.post(f"/canbo/thong-bao/{broadcast.id}/dung", {}, status=303)
    async with app.sessions() as session:
        assert (await session.get(Broadcast, broadcast.id)).status == "cancelled"  # type: ignore[union-attr]


async def test_officials_page_is_for_admins_who_add_change_link_and_remove(app: HoTro, web: TestClient) -> None:
    commune = Console(web)
    await commune.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await commune.get("/canbo/can-bo", status=403)
    web.session.cookie_jar.clear()
    admin = Console(web)
    await admin.login(app, await make_official(app, "admin", "admin", None))
    await admin.get("/canbo/can-bo")
    new_official = {"channel": "telegram", "user_id": "555", "role": "commune"}
    bad = await admin.post("/canbo/can-bo/them", {**new_official, "area": "999999"}, status=400)
    assert "không phải mã" in bad
    await admin.post("/canbo/can-bo/them", {**new_official, "area": str(NHAT_TIEN)})
    async with app.sessions() as session:
        new = (await session.execute(select(Official).where(Official.user_id == "555"))).scalar_one()
    await admin.post(f"/canbo/can-bo/{new.id}/khu-vuc", {"role": "district", "area": str(HUU_LUNG)})
    chat = Chat(app, "555", channel="telegram")  # records what the telegram channel sends
    await admin.post(f"/canbo/can-bo/{new.id}/lien-ket", {})
    assert "/canbo/login/" in chat.last_text
    # A console official cannot receive it: the admin is shown the link to hand over.
    console_official = await make_official(app, "local", "commune", NHAT_TIEN, channel="console")
    shown = await admin.post(f"/canbo/can-bo/{console_official.id}/lien-ket", {})
    assert 'id="link">http://127.0.0.1:8080/canbo/login/' in shown
    await admin.post(f"/canbo/can-bo/{new.id}/xoa", {})
    async with app.sessions() as session:
        changed = await session.get(Official, new.id)
    assert changed is not None and not changed.active and changed.role == "district" and changed.area_code == HUU_LUNG


async def test_dangnhap_in_the_chat_sends_a_link_to_officials_only(app: HoTro) -> None:
    citizen = Chat(app, "citizen")
    await citizen.say("/dangnhap")
    assert "/canbo/login/" not in citizen.last_text and "chỉ dành cho cán bộ" in citizen.last_text
    await make_official(app, "xa", "commune", NHAT_TIEN)
    official = Chat(app, "xa")
    await official.say("/dangnhap")
    assert "http://127.0.0.1:8080/canbo/login/" in official.last_text and "10 phút" in official.last_text


async def test_status_events_record_the_web_official(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    official = await make_official(app, "xa", "commune", NHAT_TIEN)
    console = Console(web)
    await console.login(app, official)
    await console.get(f"/canbo/ho-so/{application.code}")
    await console.post(f"/canbo/ho-so/{application.code}/thao-tac/under_review", {"confirm": "1"}, status=303)
    async with app.sessions() as session:
        actors = (await session.execute(select(StatusEvent.actor).order_by(StatusEvent.id))).scalars().all()
    assert actors[-1] == f"official:{official.id}"


async def test_attachments_telegram_through_getfile_zalo_by_url(app: HoTro, fake_telegram: FakeTelegram) -> None:
    application = await _submitted(app)
    fake_telegram.files["photo-of-notice"] = b"\xff\xd8\xff\xe0 a jpeg"
    async with app.sessions.begin() as session:
        telegram_file = Attachment(
            application_id=application.id, channel="telegram", kind="photo", file_id="photo-of-notice"
        )
        zalo_file = Attachment(
            application_id=application.id, channel="zalo", kind="photo", file_id="https://cdn.example.vn/a.jpg"
        )
        session.add_all([telegram_file, zalo_file])
    bot = fake_telegram.bot()
    await bot.initialize()
    client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await client.start_server()
    try:
        console = Console(client)
        await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
        page = await console.get(f"/canbo/ho-so/{application.code}")
        assert f"/tep/{telegram_file.id}" in page and 'src="https://cdn.example.vn/a.jpg"' in page
        response = await client.get(f"/canbo/ho-so/{application.code}/tep/{telegram_file.id}")
        assert response.status == 200 and await response.read() == b"\xff\xd8\xff\xe0 a jpeg"
        assert response.content_type == "image/jpeg"
        assert ("getFile", {"file_id": "photo-of-notice"}) in fake_telegram.calls
        response = await client.get(f"/canbo/ho-so/{application.code}/tep/{zalo_file.id}", allow_redirects=False)
        assert response.status == 302 and response.headers["Location"] == "https://cdn.example.vn/a.jpg"
        await console.get(f"/canbo/ho-so/{application.code}/tep/999", status=404)
    finally:
        await client.close()
        await bot.shutdown()


async def test_pages_are_never_framed_cached_or_referred(app: HoTro, web: TestClient) -> None:
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    response = await web.get("/canbo/ho-so")
    assert (
        response.headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    )
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Referrer-Policy"] == "no-referrer"


async def test_a_name_search_ignores_the_case_of_vietnamese_letters(app: HoTro, web: TestClient) -> None:
    application = await _submitted(app)
    async with app.sessions.begin() as session:
        (await session.get(Application, application.id)).full_name = "Đào Thị Ánh"  # type: ignore[union-attr]
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    # As typed on a keyboard without Vietnamese too ("dao thi anh"), and "Đ" whatever the database's lower().
    for query in ("đào thị", "ĐÀO THỊ ÁNH", "thị ánh", "dao thi anh", "DAO THI"):
        assert application.code in await console.get(f"/canbo/ho-so?q={query}"), query


async def test_the_approved_amount_may_be_typed_in_words_and_a_fraction_is_refused(app: HoTro, web: TestClient) -> None:
    citizen = Chat(app, "citizen")
    application = await submit_household(app, citizen)
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    await console.post(f"/canbo/ho-so/{application.code}/thao-tac/under_review", {"confirm": "1"}, status=303)
    path = f"/canbo/ho-so/{application.code}/thao-tac/approved"
    form = {"decision_number": "12/QĐ-UBND", "decision_date": fmt.today_local().isoformat()}
    await console.post(path, {**form, "amount": "3.000.000,50", "confirm": "1"}, status=400)  # not 300.000.050
    await console.post(path, {**form, "amount": "3 triệu", "confirm": "1"}, status=303)
    assert (await reload(app, application)).approved_amount == 3_000_000


async def test_names_stored_before_the_folded_name_are_found_without_marks(app: HoTro, web: TestClient) -> None:
    """Migration 0014 fills name_key for the applications already stored."""
    from alembic import command
    from sqlalchemy import Connection

    from storage.db import alembic_config, migrate

    application = await _submitted(app)

    def downgrade(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0013")

    async with app.db.begin() as conn:
        await conn.run_sync(downgrade)
    await migrate(app.db)
    async with app.sessions() as session:
        stored = await session.get(Application, application.id)
    assert stored is not None and stored.name_key == "nguyen van an"
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    assert application.code in await console.get("/canbo/ho-so?q=nguyen van an")
