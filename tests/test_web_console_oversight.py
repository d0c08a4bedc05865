"""The web console's oversight pages through aiohttp's test client: the monitor's read-only mode (login by
link, the pages of their area with personal numbers masked, 403 on every change) (issue 17)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import HoTro
from bot.config import Settings
from bot.web_console.auth import MONITOR_ROUTES
from handlers.complaints import service as complaints
from handlers.posting import service as posting
from messages.vocabulary import ComplaintStatus
from storage import outbox
from storage.models import Application, AuditLog, Complaint, DecisionPosting, Official, OutboxMessage
from tests.applications import HUU_LUNG, NHAT_TIEN
from tests.chat import Chat
from tests.console_client import Console, make_official, official_by_user
from tests.test_monitor import add_monitor, snapshot, world
from tests.test_monitor import parse as parse_officials
from tests.test_posting import D1, D2, PEOPLE, pdf_text, xlsx_text
from tests.test_web_console import OTHER_COMMUNE

ID_NUMBER = "020085009999"  # the submitted application's, in tests.test_monitor.world
PHONE_FORMS = ("0912345678", "0912.345.678", "912345678", "+84912345678")


async def _monitor_console(app: HoTro, web: TestClient) -> Console:
    console = Console(web)
    await console.login(app, await official_by_user(app, "mttq"))
    return console


def _console_routes(web: TestClient) -> list[tuple[str, str, str]]:
    """(method, name, path pattern) of every page of the console."""
    console = next(sub for sub in web.server.app._subapps)  # the /canbo sub-application
    out = []
    for route in console.router.routes():
        name = route.name or ""
        if route.method == "HEAD" or name == "static":
            continue
        out.append((route.method, name, route.resource.canonical if route.resource else ""))
    return out


def _fill(pattern: str, code: str, official_id: int) -> str:
    values = {
        "code": code,
        "target": "under_review",
        "id": str(official_id),
        "file_id": "1",
        "number": "1",
        "token": "x",
        "xa": str(NHAT_TIEN),
        "ext": "html",
    }
    return "/canbo" + re.sub(r"\{(\w+)\}", lambda m: values[m[1]], pattern)


async def test_a_monitor_logs_in_by_link_and_sees_the_area_read_only(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    submitted, approved, _complaint = await world(app, settings)
    monitor = await _monitor_console(app, web)
    home = await monitor.get("/canbo/")
    assert "/canbo/nhap" not in home and "/canbo/thong-bao" not in home and "/canbo/can-bo" not in home
    listed = await monitor.get("/canbo/ho-so")
    assert submitted.code in listed and approved.code in listed
    assert 'action="/canbo/ho-so/hang-loat"' not in listed and 'name="ma"' not in listed and "/canbo/xuat" not in listed
    shown = await monitor.get(f"/canbo/ho-so/{submitted.code}")
    assert 'id="read-only"' in shown and "/thao-tac/" not in shown
    assert "Lịch sử" in shown and 'id="history"' in shown  # the status history and audit trail
    await monitor.get("/canbo/bao-cao")


async def test_a_monitor_sees_the_id_masked_and_no_phone_or_account(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    submitted, _approved, _complaint = await world(app, settings)
    monitor = await _monitor_console(app, web)
    pages = [
        await monitor.get(f"/canbo/ho-so/{submitted.code}"),
        await monitor.get("/canbo/ho-so"),
        await monitor.get(f"/canbo/ho-so?q={ID_NUMBER}"),  # a search by ID finds it without showing it
        await monitor.get("/canbo/"),
    ]
    assert submitted.code in pages[2]
    pages[2] = pages[2].replace(f'value="{ID_NUMBER}"', "")  # the monitor's own query, in the search box
    for html in pages:
        assert ID_NUMBER not in html
        assert not any(phone in html for phone in PHONE_FORMS)
    assert posting.mask_id(ID_NUMBER) in pages[0]
    # The same page for the commune's official shows the numbers in full.
    official = Console(TestClient(TestServer(web.server.app, host="127.0.0.1")))
    await official.client.start_server()
    try:
        await official.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
        full = await official.get(f"/canbo/ho-so/{submitted.code}")
        assert ID_NUMBER in full and "0912345678" in full.replace(".", "").replace(" ", "")
    finally:
        await official.client.close()


async def test_a_monitors_views_are_audited(app: HoTro, settings: Settings, web: TestClient) -> None:
    submitted, _approved, _complaint = await world(app, settings)
    monitor = await _monitor_console(app, web)
    await monitor.get(f"/canbo/ho-so/{submitted.code}")
    monitor_id = (await official_by_user(app, "mttq")).id
    async with app.sessions() as session:
        rows = (await session.execute(select(AuditLog).where(AuditLog.application_id == submitted.id))).scalars().all()
    assert any(row.actor == f"official:{monitor_id}" and row.action == "view" for row in rows)


async def test_every_change_and_every_officials_tool_answers_403_to_a_monitor(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    submitted, _approved, _complaint = await world(app, settings)
    monitor = await _monitor_console(app, web)
    monitor_id = (await official_by_user(app, "mttq")).id
    before = await snapshot(app)
    posts, gets = 0, 0
    for method, name, pattern in _console_routes(web):
        if name in ("login", "login_post", "login_help", "logout"):
            continue
        path = _fill(pattern, submitted.code, monitor_id)
        if method == "POST":
            # With the session's CSRF token and a confirmation: refused all the same.
            data = {"confirm": "1", "action": "approved", "ma": submitted.code, "text": "x", "audience": "mine"}
            text = await monitor.post(path, data, status=403)
            assert "giám sát" in text
            posts += 1
        elif name not in MONITOR_ROUTES:
            await monitor.get(path, status=403)
            gets += 1
    assert posts >= 10 and gets >= 4  # actions, bulk, import, announcements, officials (and each GET form)
    assert await snapshot(app) == before
    async with app.sessions() as session:
        still = await session.get(Official, monitor_id)
    assert still is not None and still.role == "monitor" and still.active
    # The logout is not a change of the area's data: it works.
    await monitor.post("/canbo/dang-xuat", {}, status=303)
    assert (await web.get("/canbo/", allow_redirects=False)).status == 302


async def test_a_monitor_sees_only_their_area(app: HoTro, settings: Settings, web: TestClient) -> None:
    submitted, approved, _complaint = await world(app, settings)
    async with app.sessions.begin() as session:
        await session.execute(
            update(Application).where(Application.id == approved.id).values(commune_code=OTHER_COMMUNE)
        )
    monitor = await _monitor_console(app, web)
    await monitor.get(f"/canbo/ho-so/{submitted.code}")
    await monitor.get(f"/canbo/ho-so/{approved.code}", status=404)
    assert approved.code not in await monitor.get("/canbo/ho-so")
    # A district-level monitor of Hữu Lũng sees both.
    await add_monitor(app, "mttq-huyen", HUU_LUNG, "district")
    district = Console(TestClient(TestServer(web.server.app, host="127.0.0.1")))
    await district.client.start_server()
    try:
        await district.login(app, await official_by_user(app, "mttq-huyen"))
        both = await district.get("/canbo/ho-so")
        assert submitted.code in both and approved.code in both
        assert "Hữu Lũng" in await district.get("/canbo/")
    finally:
        await district.client.close()


async def test_a_monitor_asks_for_a_link_in_the_chat_and_logs_in(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    await world(app, settings)
    chat = Chat(app, "mttq")
    await chat.say("/dangnhap")
    found = re.search(r"/canbo/login/\S+", chat.last_text)
    assert found is not None
    path = found[0]
    assert (await web.get(path)).status == 200
    response = await web.post(path, allow_redirects=False)
    assert response.status == 303
    assert (await web.get("/canbo/", allow_redirects=False)).status == 200


# ---- complaints -------------------------------------------------------------------------------------
COMPLAINT_TEXT = "Cán bộ thôn không nhận hồ sơ"  # tests.test_monitor.world's complaint


async def _official_console(app: HoTro, web: TestClient) -> Console:
    console = Console(web)
    await console.login(app, await make_official(app, "xa", "commune", NHAT_TIEN))
    return console


async def _citizen_texts(app: HoTro) -> list[str]:
    async with app.sessions() as session:
        rows = (
            await session.execute(
                select(OutboxMessage).where(OutboxMessage.chat_id == "citizen").order_by(OutboxMessage.id)
            )
        ).scalars()
        return [outbox.payload_of(row, app.protector)["text"] for row in rows]


async def test_the_complaints_list_shows_status_category_deadlines_and_filters(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    _submitted, _approved, complaint = await world(app, settings)
    async with app.sessions.begin() as session:  # due in the future: not late
        await session.execute(
            update(Complaint)
            .where(Complaint.id == complaint.id)
            .values(ack_due=date(2099, 1, 1), answer_due=date(2099, 1, 2))
        )
    console = await _official_console(app, web)
    listed = await console.get("/canbo/phan-anh")
    assert complaint.code in listed and "02/01/2099" in listed
    assert "⚠" not in listed.split('id="complaints"')[1]
    async with app.sessions.begin() as session:
        await session.execute(update(Complaint).where(Complaint.id == complaint.id).values(ack_due=date(2021, 9, 1)))
    late = await console.get("/canbo/phan-anh")
    assert "⚠" in late.split('id="complaints"')[1] and "không được tiếp nhận đúng hạn" in late
    assert complaint.code not in await console.get(f"/canbo/phan-anh?trang-thai={ComplaintStatus.ANSWERED}")
    assert complaint.code in await console.get(f"/canbo/phan-anh?trang-thai={ComplaintStatus.NEW}")


async def test_an_official_acknowledges_and_answers_a_complaint_and_the_citizen_is_told(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    _submitted, _approved, complaint = await world(app, settings)
    console = await _official_console(app, web)
    shown = await console.get(f"/canbo/phan-anh/{complaint.code}")
    assert COMPLAINT_TEXT in shown and "/tiep-nhan" in shown and "/tra-loi" in shown
    before = len(await _citizen_texts(app))
    # Acknowledge: a confirmation first, nothing changed until it is confirmed.
    asked = await console.post(f"/canbo/phan-anh/{complaint.code}/tiep-nhan", {})
    assert 'id="confirm-ack"' in asked
    assert len(await _citizen_texts(app)) == before
    await console.post(f"/canbo/phan-anh/{complaint.code}/tiep-nhan", {"confirm": "1"}, status=303)
    texts = await _citizen_texts(app)
    assert (
        len(texts) == before + 1 and complaints.display_code(complaint.code) in texts[-1] and "tiếp nhận" in texts[-1]
    )
    # Answer: an empty answer is refused with a message, then confirmed.
    refused = await console.post(f"/canbo/phan-anh/{complaint.code}/tra-loi", {"answer": "  "}, status=400)
    assert 'class="error"' in refused
    answer = "Xã đã nhắc thôn nhận hồ sơ từ thứ Hai."
    asked = await console.post(f"/canbo/phan-anh/{complaint.code}/tra-loi", {"answer": answer})
    assert 'id="confirm-answer"' in asked and answer in asked
    await console.post(f"/canbo/phan-anh/{complaint.code}/tra-loi", {"answer": answer, "confirm": "1"}, status=303)
    texts = await _citizen_texts(app)
    assert len(texts) == before + 2 and answer in texts[-1]
    async with app.sessions() as session:
        stored = await session.get(Complaint, complaint.id)
    assert stored is not None and stored.status == ComplaintStatus.ANSWERED
    page_after = await console.get(f"/canbo/phan-anh/{complaint.code}")
    assert answer in page_after and "/tra-loi" not in page_after
    # Answered: a second answer changes nothing.
    await console.post(f"/canbo/phan-anh/{complaint.code}/tra-loi", {"answer": "x", "confirm": "1"}, status=409)


async def test_a_monitor_reads_complaints_without_forms_and_another_area_gets_404(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    _submitted, _approved, complaint = await world(app, settings)
    monitor = await _monitor_console(app, web)
    assert complaint.code in await monitor.get("/canbo/phan-anh")
    shown = await monitor.get(f"/canbo/phan-anh/{complaint.code}")
    assert COMPLAINT_TEXT in shown and 'id="read-only"' in shown
    assert "/tiep-nhan" not in shown and "/tra-loi" not in shown
    await monitor.post(f"/canbo/phan-anh/{complaint.code}/tiep-nhan", {"confirm": "1"}, status=403)
    async with app.sessions.begin() as session:
        await session.execute(update(Complaint).where(Complaint.id == complaint.id).values(commune_code=OTHER_COMMUNE))
    await monitor.get(f"/canbo/phan-anh/{complaint.code}", status=404)
    assert complaint.code not in await monitor.get("/canbo/phan-anh")


# ---- public posting ---------------------------------------------------------------------------------
async def test_an_official_records_the_posting_date_and_downloads_the_list(
    app: HoTro, settings: Settings, web: TestClient, tmp_path: Path
) -> None:
    await world(app, settings)
    console = await _official_console(app, web)
    shown = await console.get("/canbo/niem-yet")
    assert D1 in shown and D2 in shown and 'action="/canbo/niem-yet/ghi"' in shown
    assert "chưa niêm yết" in shown  # the 5-day deadline state
    await console.post("/canbo/niem-yet/ghi", {"xa": str(NHAT_TIEN), "so": D1, "ngay": "2021-09-03"}, status=303)
    async with app.sessions() as session:
        posted = (await session.execute(select(DecisionPosting))).scalars().all()
    assert [(p.decision_number, p.posted_on) for p in posted] == [(D1, date(2021, 9, 3))]
    assert "03/09/2021" in await console.get("/canbo/niem-yet")
    # A date in the future, another area's commune: refused.
    await console.post("/canbo/niem-yet/ghi", {"xa": str(NHAT_TIEN), "so": D1, "ngay": "2099-01-01"}, status=400)
    await console.post("/canbo/niem-yet/ghi", {"xa": str(OTHER_COMMUNE), "so": D1, "ngay": "2021-09-03"}, status=404)
    for ext, read in (("pdf", pdf_text), ("xlsx", xlsx_text), ("html", lambda p: p.read_text(encoding="utf-8"))):
        response = await web.get(f"/canbo/niem-yet/{NHAT_TIEN}/tai-ve.{ext}?so={D1}")
        assert response.status == 200, await response.text()
        assert "attachment" in response.headers["Content-Disposition"]
        out = tmp_path / f"list.{ext}"
        out.write_bytes(await response.read())
        text = read(out)
        assert "Nguyễn Văn An" in text and "Trần Thị Bích" in text and "Lê Văn Cường" not in text  # D1 only
        for _name, id_number, phone, *_rest in PEOPLE:
            assert id_number not in text and phone not in text
    assert (await web.get(f"/canbo/niem-yet/{OTHER_COMMUNE}/tai-ve.pdf")).status == 404


async def test_a_monitor_views_and_downloads_the_posting_list_but_records_nothing(
    app: HoTro, settings: Settings, web: TestClient
) -> None:
    await world(app, settings)
    monitor = await _monitor_console(app, web)
    shown = await monitor.get("/canbo/niem-yet")
    assert D1 in shown and "/canbo/niem-yet/ghi" not in shown
    response = await web.get(f"/canbo/niem-yet/{NHAT_TIEN}/tai-ve.html")
    assert response.status == 200 and "Nguyễn Văn An" in await response.text()
    await monitor.post("/canbo/niem-yet/ghi", {"xa": str(NHAT_TIEN), "so": D1, "ngay": "2021-09-03"}, status=403)
    async with app.sessions() as session:
        assert (await session.execute(select(DecisionPosting))).scalars().all() == []


async def test_the_admins_page_and_the_cli_give_a_monitor_a_login_link(
    app: HoTro, settings: Settings, web: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    await world(app, settings)
    monitor = await official_by_user(app, "mttq")
    admin = Console(web)
    await admin.login(app, await make_official(app, "admin", "admin", None))
    chat = Chat(app, "mttq")  # records what the test channel sends
    await admin.post(f"/canbo/can-bo/{monitor.id}/lien-ket", {})
    assert "/canbo/login/" in chat.last_text
    args = parse_officials("login-link", "--official-id", str(monitor.id))
    await args.func(settings, args)
    printed = capsys.readouterr().out.strip()
    assert "/canbo/login/" in printed
    # The printed link logs the monitor in.
    web.session.cookie_jar.clear()
    path = "/canbo/login/" + printed.rsplit("/canbo/login/", 1)[1]
    assert (await web.post(path, allow_redirects=False)).status == 303
    assert 'id="read-only"' in await (await web.get(f"/canbo/phan-anh/{(await _any_complaint(app)).code}")).text()


async def _any_complaint(app: HoTro) -> Complaint:
    async with app.sessions() as session:
        return (await session.execute(select(Complaint))).scalars().first()  # type: ignore[return-value]
