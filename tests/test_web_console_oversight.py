"""The web console's oversight pages through aiohttp's test client: the monitor's read-only mode (login by
link, the pages of their area with personal numbers masked, 403 on every change) (issue 17)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import HoTro
from bot.config import Settings
from bot.web import build_web_app
from bot.web_console.auth import MONITOR_ROUTES
from handlers import posting
from storage.models import Application, AuditLog, Official
from tests.chat import Chat
from tests.console_client import Console, make_official, official_by_user
from tests.test_monitor import add_monitor, snapshot, world
from tests.test_review import HUU_LUNG, NHAT_TIEN
from tests.test_web_console import OTHER_COMMUNE

ID_NUMBER = "020085009999"  # the submitted application's, in tests.test_monitor.world
PHONE_FORMS = ("0912345678", "0912.345.678", "912345678", "+84912345678")


@pytest.fixture
async def web(app: HoTro) -> AsyncIterator[TestClient]:
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


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
    values = {"code": code, "target": "under_review", "id": str(official_id), "file_id": "1", "token": "x"}
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
