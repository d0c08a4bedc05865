"""Fetching what a citizen attached, for a handler that reads it (handlers.turn.NeedsFile).

Each channel registers a source in `Engine.files` under its name: Telegram (getFile, then the file
download), Zalo (the image URL of the event), the console (a local path given with `/tep`). A source
returns the file's bytes, at most `max_bytes` of them: a larger file raises FileTooLarge without
being read to its end. The bytes are handed to the handler's reader and then dropped: nothing here
writes them anywhere, and no log line names what they hold.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol

import aiohttp

FETCH_TIMEOUT = 20.0  # seconds for one download


class FileTooLarge(Exception):
    """The file is larger than the reader accepts."""


class FileUnavailable(Exception):
    """The file cannot be fetched (expired, removed, network)."""


class FileSource(Protocol):
    async def fetch(self, file_id: str, max_bytes: int) -> bytes: ...


async def read_capped(content: aiohttp.StreamReader, max_bytes: int) -> bytes:
    """A response body of at most `max_bytes`; FileTooLarge as soon as it goes past."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > max_bytes:
            raise FileTooLarge(f"over {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


class UrlFiles:
    """Files that are URLs (Zalo's image events carry the image's URL)."""

    def __init__(self, timeout: float = FETCH_TIMEOUT) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def fetch(self, file_id: str, max_bytes: int) -> bytes:
        if not file_id.startswith(("https://", "http://")):
            raise FileUnavailable("not a URL")  # e.g. "zalo-msg:…": the URL was too long to keep
        try:
            async with aiohttp.ClientSession(timeout=self.timeout) as session, session.get(file_id) as response:
                if response.status != 200:
                    raise FileUnavailable(f"HTTP {response.status}")
                if response.content_length is not None and response.content_length > max_bytes:
                    raise FileTooLarge(f"{response.content_length} bytes")
                return await read_capped(response.content, max_bytes)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FileUnavailable(type(exc).__name__) from exc


class LocalFiles:
    """The console's attachments: a path on this machine (`/tep PATH`)."""

    async def fetch(self, file_id: str, max_bytes: int) -> bytes:
        path = Path(file_id)
        try:
            if path.stat().st_size > max_bytes:
                raise FileTooLarge(f"{path.stat().st_size} bytes")
            return await asyncio.to_thread(path.read_bytes)
        except OSError as exc:
            raise FileUnavailable(type(exc).__name__) from exc
