"""The file sources the engine fetches attachments from (bot/files.py): size caps and failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.files import FileTooLarge, FileUnavailable, LocalFiles, UrlFiles


@pytest.fixture
async def server() -> AsyncIterator[TestServer]:
    async def fixed(_request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 100)

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to refuse it by
        await response.prepare(request)
        for _ in range(50):
            await response.write(b"y" * 10_000)
        return response

    app = web.Application()
    app.router.add_get("/fixed", fixed)
    app.router.add_get("/streamed", streamed)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    yield test_server
    await test_server.close()


async def test_urls_are_fetched_up_to_the_cap(server: TestServer) -> None:
    files = UrlFiles(timeout=5)
    assert await files.fetch(str(server.make_url("/fixed")), 100) == b"x" * 100
    with pytest.raises(FileTooLarge):
        await files.fetch(str(server.make_url("/fixed")), 99)  # refused by its Content-Length
    with pytest.raises(FileTooLarge):
        await files.fetch(str(server.make_url("/streamed")), 64 * 1024)  # stopped while streaming
    with pytest.raises(FileUnavailable):
        await files.fetch(str(server.make_url("/missing")), 100)
    with pytest.raises(FileUnavailable):
        await files.fetch("zalo-msg:abc", 100)  # the URL was too long to keep: nothing to fetch


async def test_local_files_for_the_console(tmp_path: Path) -> None:
    path = tmp_path / "anh.jpg"
    path.write_bytes(b"z" * 10)
    files = LocalFiles()
    assert await files.fetch(str(path), 10) == b"z" * 10
    with pytest.raises(FileTooLarge):
        await files.fetch(str(path), 9)
    with pytest.raises(FileUnavailable):
        await files.fetch(str(tmp_path / "gone.jpg"), 10)
