"""Browsing and asking about the policies in the chat (engine + Telegram)."""

from __future__ import annotations

from bot.app import HoTro
from messages.policies import SECTION_KEYS, load_policies
from tests.chat import Chat, joined
from tests.fakes.telegram_api import FakeTelegram


async def test_every_policy_and_section_can_be_browsed(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    await chat.press("Tìm hiểu chính sách")
    listed = [b["action"] for b in chat.buttons() if b["action"].startswith("pol:")]
    policies = load_policies(app.settings.free_worker)
    assert listed == [f"pol:{p.id}" for p in policies] and len(listed) == 12
    for policy in policies:
        page = joined(await chat.tap(f"pol:{policy.id}"))
        assert policy.title in page and "Căn cứ" in page
        for key in SECTION_KEYS:
            text = joined(await chat.tap(f"pol:{policy.id}:{key}"))
            assert policy.sections[key].strip()[:40] in text
            assert len(text) <= 4096
        has_apply = any(b["action"].startswith("apply:") for b in chat.buttons())
        assert has_apply == (policy.intake is not None)


async def test_a_free_text_question_gets_the_right_section(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    text = joined(await chat.say("ho kinh doanh dc ho tro bao nhieu tien vay"))
    assert "Hỗ trợ hộ kinh doanh – Mức hỗ trợ" in text and "3.000.000\xa0₫" in text
    text = joined(await chat.say("con toi bi F1 cach ly o nha thi nop ho so o dau"))
    assert "F0" in text and "Nơi nộp" in text


async def test_an_unclear_question_offers_the_closest_topics(app: HoTro) -> None:
    chat = Chat(app)
    await chat.say("/start")
    # Issue 12: a near call is answered with the best guess and the runners-up offered under it.
    # "tiền hỗ trợ covid" is the package as a whole or the F0/F1 meal money: one answered, the other offered.
    text = joined(await chat.say("tiền hỗ trợ covid"))
    actions = [b["action"] for b in chat.buttons()]
    assert ("80.000" in text and "q:package" in actions) or ("12 nhóm chính sách" in text and "pol:f0_f1" in actions)
    # A message that names no topic gets 2-3 choices, first, and an invitation to rephrase.
    text = joined(await chat.say("tôi muốn hỏi"))
    assert "Có phải bạn muốn hỏi" in text and "viết lại câu hỏi" in text
    buttons = chat.buttons()
    assert (
        buttons[0]["action"] not in ("pol", "menu")
        and 2 <= buttons.index({"label": "Danh sách chính sách", "action": "pol"}) <= 3
    )
    assert "chưa tìm thấy" in joined(await chat.say("qwerty zxcv"))


async def test_first_message_can_be_a_question(app: HoTro) -> None:
    chat = Chat(app)
    text = joined(await chat.say("hướng dẫn viên du lịch được hỗ trợ không"))
    assert "Xin chào" in text and "hướng dẫn viên" in text.lower()


async def test_policy_pages_through_telegram(app: HoTro, fake_telegram: FakeTelegram) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.channels.telegram import webhook_secret
    from bot.web import build_web_app
    from tests.tg_driver import TelegramUser

    bot = fake_telegram.bot()
    await bot.initialize()
    client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await client.start_server()
    try:
        user = TelegramUser(client, fake_telegram, webhook_secret(app.settings), 6001)
        await user.say("/start")
        await user.press("Tìm hiểu chính sách")
        await user.press("F0")
        sent = await user.press("Mức hỗ trợ")
        assert "80.000" in sent[0].text
        sent = await user.say("lao dong tu do dc ho tro ko")
        assert "lao động tự do" in sent[0].text.lower()
    finally:
        await client.close()
        await bot.shutdown()
