"""Drive the officials' web console through aiohttp's test client: log in by link, read the CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.app import HoTro
from handlers.review.console_login import login_url
from storage import login_tokens
from storage.models import Official
from storage.officials import add_official

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


async def make_official(app: HoTro, user: str, role: str, area: int | None, channel: str = "test") -> Official:
    async with app.sessions.begin() as session:
        return await add_official(session, channel, user, role, area, f"Cán bộ {user}")


async def official_by_user(app: HoTro, user: str) -> Official:
    async with app.sessions() as session:
        return (await session.execute(select(Official).where(Official.user_id == user))).scalar_one()


async def login_token(app: HoTro, official: Official) -> str:
    async with app.sessions.begin() as session:
        return await login_tokens.issue(session, official, datetime.now(UTC))


class Console:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    async def login(self, app: HoTro, official: Official) -> None:
        token = await login_token(app, official)
        path = "/" + login_url("http://x", token).split("/", 3)[3]
        page = await self.client.get(path)
        assert page.status == 200, await page.text()
        response = await self.client.post(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/canbo/"
        await self.get("/canbo/")

    async def get(self, path: str, status: int = 200) -> str:
        response = await self.client.get(path, allow_redirects=False)
        text = await response.text()
        assert response.status == status, (response.status, text[:2000])
        found = CSRF.search(text)
        if found:
            self.csrf = found[1]
        return text

    async def post(self, path: str, data: dict[str, object] | list[tuple[str, str]], status: int = 200) -> str:
        data = {"csrf": self.csrf, **data} if isinstance(data, dict) else [("csrf", self.csrf), *data]
        response = await self.client.post(path, data=data, allow_redirects=False)
        text = await response.text()
        assert response.status == status, (response.status, text[:2000])
        return text
