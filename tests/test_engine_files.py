"""A handler that needs an attachment's content (handlers.turn.NeedsFile): the engine rolls the turn back,
fetches the file with no transaction open, reads it, and runs the turn again with what was read."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, update

from bot.app import HoTro
from bot.files import FileUnavailable
from handlers.turn import Attachment, Incoming, NeedsFile, Turn
from storage.models import ChannelUser, ProcessedEvent
from tests.chat import Chat
from tests.test_engine import conversation


class Source:
    def __init__(self, app: HoTro) -> None:
        self.app = app
        self.fetched: list[str] = []

    async def fetch(self, file_id: str, max_bytes: int) -> bytes:
        self.fetched.append(file_id)
        # The chat's own rows can be written now: the turn that asked holds no transaction or lock.
        async with self.app.sessions.begin() as session:
            await asyncio.wait_for(
                session.execute(update(ChannelUser).where(ChannelUser.chat_id == "c1").values(display_name="Lan")),
                timeout=5,
            )
        if file_id == "gone":
            raise FileUnavailable("expired")
        if file_id == "boom":
            raise RuntimeError("a platform error the source did not expect")
        return file_id.encode()[:max_bytes]


@pytest.fixture
def source(app: HoTro) -> Source:
    files = Source(app)
    app.engine.files["test"] = files
    reads: list[bytes] = []

    async def reader(data: bytes) -> str | None:
        reads.append(data)
        if data == b"cras":
            raise ValueError("the reader fails")
        return data.decode().upper()

    async def read_it(turn: Turn) -> None:
        turn.data["visits"] = turn.data.get("visits", 0) + 1  # the first pass's change is rolled back
        attachment = turn.incoming.attachment
        if attachment is None:
            turn.say("no file")
            return
        if attachment.read is None or turn.text == "again":
            raise NeedsFile(reader, max_bytes=4)
        turn.say(f"read {attachment.read.text} ({attachment.read.problem}) after {turn.data['visits']} visit(s)")

    async def enter(turn: Turn) -> None:
        turn.goto("docanh", {})
        turn.say("send it")

    app.engine.router.command("/vao")(enter)
    app.engine.router.state("docanh", takes_files=lambda _turn: True)(read_it)  # a state that keeps files
    return files


async def send(app: HoTro, file_id: str, text: str | None = None, event: str = "e-1") -> None:
    await app.handle(Incoming("test", "c1", "c1", "enter-" + event, text="/vao"))
    await app.handle(Incoming("test", "c1", "c1", event, text=text, attachment=Attachment("photo", file_id)))


async def test_the_file_is_fetched_outside_the_turn_and_read_once(app: HoTro, source: Source) -> None:
    chat = Chat(app)
    await send(app, "abcdefgh")
    assert chat.last_text == "read ABCD (None) after 1 visit(s)"  # capped at max_bytes; one visit kept
    assert source.fetched == ["abcdefgh"]
    assert (await conversation(app)).data["visits"] == 1
    async with app.sessions() as session:
        events = (await session.execute(select(ProcessedEvent.event_id))).scalars().all()
    assert sorted(events) == ["e-1", "enter-e-1"]
    await send(app, "abcdefgh")  # a redelivery: claimed already, nothing fetched again
    assert source.fetched == ["abcdefgh"]


async def test_a_file_that_cannot_be_fetched_reaches_the_handler_as_a_problem(app: HoTro, source: Source) -> None:
    chat = Chat(app)
    await send(app, "gone")
    assert chat.last_text == "read None (unavailable) after 1 visit(s)"


async def test_an_unexpected_fetch_error_and_a_failing_reader(app: HoTro, source: Source) -> None:
    chat = Chat(app)
    await send(app, "boom")
    assert chat.last_text == "read None (unavailable) after 1 visit(s)"
    await send(app, "crash", event="e-2")
    assert chat.last_text == "read None (None) after 1 visit(s)"  # nothing readable; the turn goes on


async def test_a_channel_without_files_and_a_handler_asking_twice(app: HoTro, source: Source) -> None:
    chat = Chat(app)
    del app.engine.files["test"]
    await send(app, "abc")
    assert chat.last_text == "read None (unavailable) after 1 visit(s)"
    app.engine.files["test"] = source
    await send(app, "abc", text="again", event="e-2")  # asks again with the file read: a failure
    assert "Xin lỗi" in chat.last_text
    assert "visits" not in (await conversation(app)).data  # /vao emptied it; the failed turn changed nothing
