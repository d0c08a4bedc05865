"""The engine: dedupe, routing, state, timeouts, errors, outbox delivery."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.app import HoTro, settle_heap
from bot.config import Settings
from bot.sender import OutboxSender
from bot.transport import RetryLater
from handlers.turn import Button, Incoming, Turn
from storage import outbox
from storage.conversations import DATA_CONTEXT
from storage.models import AuditLog, ChannelUser, Conversation, OutboxMessage
from tests.chat import Chat, joined
from tests.recording import RecordingTransport


async def conversation(app: HoTro, chat_id: str = "c1") -> Conversation:
    """The chat's conversation row, its data decrypted (it is stored sealed)."""
    async with app.sessions() as session:
        row = (await session.execute(select(Conversation).where(Conversation.chat_id == chat_id))).scalar_one()
    row.data = app.protector.open_json(row.data, context=DATA_CONTEXT)
    return row


async def test_start_greets_in_vietnamese_with_menu(app: HoTro) -> None:
    chat = Chat(app)
    replies = await chat.say("/start")
    text = joined(replies)
    assert "Xin chào" in text
    assert "HoTro" in text
    labels = [b["label"] for b in chat.buttons()]
    assert "Trợ giúp" in labels
    assert (await conversation(app)).state == "menu"


async def test_same_event_delivered_twice_is_handled_once(app: HoTro) -> None:
    chat = Chat(app)
    incoming = Incoming("test", "c1", "c1", "dup-1", text="/start")
    first = await app.handle(incoming)
    second = await app.handle(incoming)
    assert not first.duplicate and first.outbox_ids
    assert second.duplicate and second.outbox_ids == []
    assert (await conversation(app)).version == 1
    async with app.sessions() as session:
        count = len((await session.execute(select(OutboxMessage))).scalars().all())
    assert count == len(first.outbox_ids)
    assert len(chat.transport.sent) == len(first.outbox_ids)


async def test_concurrent_duplicates_handled_once(app: HoTro) -> None:
    Chat(app)
    incoming = Incoming("test", "c1", "c1", "dup-2", text="/start")
    results = await asyncio.gather(*(app.handle(incoming) for _ in range(4)))
    assert sum(not r.duplicate for r in results) == 1
    assert (await conversation(app)).version == 1


async def test_concurrent_turns_of_one_chat_are_serialised(app: HoTro) -> None:
    Chat(app)
    await asyncio.gather(*(app.handle(Incoming("test", "c1", "c1", f"par-{i}", text="/help")) for i in range(5)))
    assert (await conversation(app)).version == 5


async def test_hash_number_and_exact_label_press_buttons(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    help_index = [b["label"] for b in chat.buttons()].index("Trợ giúp") + 1
    replies = await chat.say(f"#{help_index}")
    assert "Cách dùng HoTro" in joined(replies)
    replies = await chat.say("trợ giúp")
    assert "Cách dùng HoTro" in joined(replies)


async def test_cancel_and_menu_work_from_any_state(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    async with app.sessions.begin() as session:
        await session.execute(update(Conversation).values(state="somewhere.deep", data={"x": 1}))
    replies = await chat.say("/huy")
    assert "Đã hủy" in joined(replies)
    conv = await conversation(app)
    assert conv.state == "menu" and conv.data == {}


async def test_unexpected_error_apologises_and_keeps_state(app: HoTro) -> None:
    async def broken(turn: Turn) -> None:
        turn.data["half"] = "written"
        raise RuntimeError("boom")

    app.engine.router.state("broken")(broken)
    chat = Chat(app)
    await chat.say("/start")
    async with app.sessions.begin() as session:
        await session.execute(update(Conversation).values(state="broken", data={"kept": True}))
    replies = await chat.say("hello")
    assert "Xin lỗi" in joined(replies)
    conv = await conversation(app)
    assert conv.state == "broken" and conv.data == {"kept": True}
    # The bot keeps running for the next message.
    assert "Cách dùng HoTro" in joined(await chat.say("/help"))


async def test_a_failed_handler_writes_nothing_and_its_update_counts_as_handled(app: HoTro) -> None:
    async def half_done(turn: Turn) -> None:
        turn.session.add(AuditLog(actor="test", action="view", at=turn.now))
        await turn.session.flush()  # the row reaches the database before the failure
        turn.notify("test", "someone-else", "a notice that must not go out")
        raise RuntimeError("boom")

    app.engine.router.command("/half")(half_done)
    chat = Chat(app)
    incoming = Incoming("test", "c1", "c1", "half-1", text="/half")
    result = await app.handle(incoming)
    assert result.error and not result.notice_ids
    assert "Xin lỗi" in chat.all_text()
    async with app.sessions() as session:
        assert (await session.execute(select(AuditLog))).first() is None
        chats = set((await session.execute(select(OutboxMessage.chat_id))).scalars())
    assert chats == {"c1"}
    assert (await app.handle(incoming)).duplicate  # the redelivered update is not apologised for twice


async def test_sent_marks_are_batched_without_delaying_the_next_reply(app: HoTro) -> None:
    chat = Chat(app)
    first = await app.handle(Incoming("test", "c1", "c1", "m-1", text="/start"))
    sent_ids = [row.id for row in first.claimed]
    assert sent_ids and app.sender.unmarked("test", "c1") == sent_ids
    # Sent but not yet marked: the chat's next reply must not queue behind them.
    second = await app.handle(Incoming("test", "c1", "c1", "m-2", text="/help"))
    assert not second.backlog and second.claimed
    assert len(chat.transport.sent) == len(first.claimed) + len(second.claimed)
    async with asyncio.timeout(5):  # the batch is written by itself shortly after (MARK_DELAY)
        while app.sender.unmarked("test", "c1"):
            await asyncio.sleep(0.01)
    async with app.sessions() as session:
        assert set((await session.execute(select(OutboxMessage.status))).scalars()) == {"sent"}


async def test_sent_marks_are_kept_when_writing_them_fails(app: HoTro, monkeypatch: pytest.MonkeyPatch) -> None:
    Chat(app)
    await app.handle(Incoming("test", "c1", "c1", "f-1", text="/start"))
    waiting = app.sender.unmarked("test", "c1")
    real_mark_sent = outbox.mark_sent

    async def unavailable(*args: object) -> None:
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(outbox, "mark_sent", unavailable)
    await app.sender.flush_marks()
    assert app.sender.unmarked("test", "c1") == waiting
    monkeypatch.setattr(outbox, "mark_sent", real_mark_sent)
    await app.sender.flush_marks()
    assert app.sender.unmarked("test", "c1") == []
    async with app.sessions() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert statuses and set(statuses) == {"sent"}


async def test_timed_out_conversation_resets_politely(app: HoTro) -> None:
    async def browsing(turn: Turn) -> None:
        turn.say("still browsing")

    app.engine.router.state("browse")(browsing)
    chat = Chat(app)
    await chat.say("/start")
    old = datetime.now(UTC) - timedelta(hours=2)
    async with app.sessions.begin() as session:
        await session.execute(update(Conversation).values(state="browse", updated_at=old))
    replies = await chat.say("anything")
    assert "hết hạn" in joined(replies)
    assert (await conversation(app)).state == "menu"


async def test_timed_out_form_resumes_where_it_was(app: HoTro) -> None:
    async def ask(turn: Turn) -> None:
        turn.say("Số điện thoại của bạn?")

    async def handle(turn: Turn) -> None:
        turn.data["phone"] = turn.text
        turn.goto("menu")

    app.engine.router.state("form", ask=ask, resumable=True)(handle)
    chat = Chat(app)
    await chat.say("/start")
    old = datetime.now(UTC) - timedelta(days=3)
    async with app.sessions.begin() as session:
        await session.execute(update(Conversation).values(state="form.phone", data={"name": "An"}, updated_at=old))
    replies = await chat.say("xin chào")
    assert "quay lại" in joined(replies) and "Số điện thoại" in joined(replies)
    conv = await conversation(app)
    assert conv.state == "form.phone" and conv.data == {"name": "An"}
    await chat.say("0912345678")
    assert (await conversation(app)).data == {"name": "An", "phone": "0912345678"}


async def test_reply_survives_a_failed_send_and_is_retried(app: HoTro) -> None:
    chat = Chat(app)
    chat.transport.fail_next.append(RetryLater(0.01))
    await chat.say("/start")
    assert chat.transport.sent == []
    async with app.sessions() as session:
        statuses = (await session.execute(select(OutboxMessage.status))).scalars().all()
    assert statuses and set(statuses) == {"queued"}
    await asyncio.sleep(0.05)
    await app.sender.deliver()
    assert "Xin chào" in chat.all_text()


async def test_messages_to_one_chat_keep_their_order_after_a_retry(app: HoTro) -> None:
    async def two(turn: Turn) -> None:
        turn.say("một")
        turn.say("hai")

    app.engine.router.command("/two")(two)
    chat = Chat(app)
    chat.transport.fail_next.append(RetryLater(0.01))
    await chat.say("/two")
    assert chat.transport.sent == []  # "hai" was held behind "một"
    await asyncio.sleep(0.05)
    await app.sender.deliver()
    assert chat.transport.texts() == ["một", "hai"]


async def test_blocked_user_is_marked_and_not_retried(app: HoTro) -> None:
    chat = Chat(app)
    chat.transport.blocked.add("c1")
    await chat.say("/start")
    async with app.sessions() as session:
        user = (await session.execute(select(ChannelUser))).scalar_one()
        statuses = set((await session.execute(select(OutboxMessage.status))).scalars())
    assert user.status == "blocked"
    assert statuses == {"failed"}
    assert await app.sender.deliver() == 0


async def test_unsent_rows_from_a_crash_are_reclaimed_after_the_lease(app: HoTro) -> None:
    chat = Chat(app)
    async with app.sessions.begin() as session:
        session.add(
            OutboxMessage(
                channel="test",
                chat_id="c1",
                payload={"text": "lost?", "buttons": []},
                status="sending",
                claimed_at=datetime.now(UTC) - timedelta(minutes=5),
            )
        )
    await app.sender.deliver()
    assert chat.transport.texts() == ["lost?"]


class SlowTransport(RecordingTransport):
    """A platform that takes `delay` seconds a message (a slow network: PTB's Bot API calls may take up to
    their 5 s read timeout, a document upload its 20 s write timeout)."""

    def __init__(self, delay: float) -> None:
        super().__init__("test")
        self.delay = delay

    async def send(self, chat_id: str, payload: dict[str, object]) -> None:
        await asyncio.sleep(self.delay)
        await super().send(chat_id, payload)


async def test_a_batch_that_outlasts_the_lease_is_sent_once(app: HoTro) -> None:
    """Two senders (two processes) share the outbox. One claims a batch that takes longer than the lease
    to send: the other must take neither the rows still waiting in that batch nor those it sent and has
    not marked yet; each citizen gets each message once."""
    transport = SlowTransport(0.2)
    lease = timedelta(seconds=1)
    first = OutboxSender(app.sessions, {"test": transport}, lease=lease, protector=app.protector)
    second = OutboxSender(app.sessions, {"test": transport}, lease=lease, protector=app.protector)
    texts = [f"Thông báo {i}" for i in range(8)]  # 8 x 0.2 s: the batch takes 1.6 s
    async with app.sessions.begin() as session:
        for i, text in enumerate(texts):
            await outbox.enqueue(
                session, "test", f"c{i}", {"text": text, "buttons": []}, datetime.now(UTC), app.protector
            )
    batch = asyncio.create_task(first.deliver())
    taken_by_the_second = 0
    while not batch.done():
        await asyncio.sleep(0.05)
        taken_by_the_second += await second.deliver()
    assert await batch == len(texts)
    assert taken_by_the_second == 0
    assert sorted(transport.texts()) == sorted(texts)
    async with app.sessions() as session:
        assert set((await session.execute(select(OutboxMessage.status))).scalars()) == {"sent"}


async def test_button_action_over_64_bytes_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError):
        Button("x", "a" * 65)


async def test_text_is_normalised_before_handlers_see_it(app: HoTro) -> None:
    import unicodedata

    seen: list[str] = []

    async def record(turn: Turn) -> None:
        seen.append(turn.text)

    app.engine.router.state("probe")(record)
    chat = Chat(app)
    await chat.say("/start")
    async with app.sessions.begin() as session:
        await session.execute(update(Conversation).values(state="probe"))
    await chat.say(unicodedata.normalize("NFD", "Hộ kinh\x00 doanh\u202e") + "x" * 10_000)
    assert seen[0].startswith("Hộ kinh doanh") and unicodedata.is_normalized("NFC", seen[0])
    assert "\x00" not in seen[0] and "\u202e" not in seen[0]
    assert len(seen[0]) == 4096


async def test_held_messages_wait_for_the_user_and_go_first(app: HoTro) -> None:
    from bot.transport import Held

    chat = Chat(app)
    chat.transport.fail_next.append(Held())
    await chat.say("/help")
    async with app.sessions() as session:
        statuses = set((await session.execute(select(OutboxMessage.status))).scalars())
    assert statuses == {"held"}
    assert await app.sender.deliver() == 0  # nothing is due until the user writes
    await chat.say("/menu")
    texts = chat.transport.texts()
    assert "Cách dùng HoTro" in texts[0] and texts[-1].startswith("Bạn muốn làm gì")


def test_settle_heap_freezes_what_handlers_load_lazily() -> None:
    settle_heap(Settings())
    try:
        # The address and policy indexes alone are over 100,000 objects; a full collection skips them now.
        assert gc.get_freeze_count() > 100_000
    finally:
        gc.unfreeze()
