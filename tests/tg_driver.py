"""Drive a conversation through the Telegram webhook of `hotro serve` and the fake Bot API."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from bot.app import HoTro
from bot.channels.telegram import webhook_secret
from bot.web import TELEGRAM_PATH
from tests.fakes.telegram_api import FakeTelegram, Sent


class TelegramUser:
    def __init__(self, client: TestClient, fake: FakeTelegram, secret: str, user_id: int) -> None:
        self.client = client
        self.fake = fake
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.user_id = user_id

    async def _post(self, update: dict[str, Any]) -> list[Sent]:
        before = len(self.fake.texts_to(self.user_id))
        self.fake.opened(update)
        response = await self.client.post(TELEGRAM_PATH, json=update, headers=self.headers)
        assert response.status == 200
        return [s for s in self.fake.sent if s.chat_id == self.user_id][before:]

    async def say(self, text: str) -> list[Sent]:
        return await self._post(self.fake.text_update(self.user_id, text))

    async def edit(self, text: str, message_id: int = 1) -> list[Sent]:
        """The user edits a message sent before so that it reads `text`."""
        return await self._post(self.fake.edited_update(self.user_id, text, message_id))

    async def photo(self, file_id: str, content: bytes | None = None) -> list[Sent]:
        """A photo; with `content`, the file the bot then fetches through getFile and the download."""
        return await self._post(self.fake.photo_update(self.user_id, file_id, content))

    def buttons(self) -> list[dict[str, Any]]:
        for sent in reversed(self.fake.sent):
            if sent.chat_id == self.user_id and sent.buttons:
                return [b for row in sent.buttons for b in row]
        return []

    async def press(self, label_part: str) -> list[Sent]:
        for button in self.buttons():
            if label_part.casefold() in button["text"].casefold():
                return await self._post(self.fake.callback_update(self.user_id, button["callback_data"]))
        raise AssertionError(f"no button {label_part!r} in {[b['text'] for b in self.buttons()]}")

    @property
    def last_text(self) -> str:
        return self.fake.texts_to(self.user_id)[-1]


def telegram_user(client: TestClient, fake: FakeTelegram, app: HoTro, user_id: int) -> TelegramUser:
    """A Telegram user of the app's webhook, with the app's secret token."""
    return TelegramUser(client, fake, webhook_secret(app.settings), user_id)


async def household_up_to_the_phone(lan: TelegramUser) -> None:
    """A street vendor's household business application through Telegram, up to its phone step."""
    await lan.say("/start")
    await lan.press("Đăng ký hỗ trợ")
    await lan.press("Hộ kinh doanh")
    await lan.press("Tôi đồng ý")
    await lan.press("Bán hàng rong")
    for text in ["Vũ Thị Lan", "3/4/1975", "001175012345"]:
        await lan.say(text)


async def household_after_the_phone(lan: TelegramUser) -> None:
    """From the business name to cash payment: the documents step is next."""
    await lan.press("Bỏ qua")
    await lan.say("bán bánh mì")
    await lan.say("lạng sơn")
    await lan.press("Huyện Hữu Lũng")
    await lan.say("Nhật Tiến")
    for text in ["chợ Hữu Lũng", "5/8/2021", "25/8/2021", "Chỉ thị 16"]:
        await lan.say(text)
    await lan.press("Nhận tiền mặt")
