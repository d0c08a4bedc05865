"""Drive a conversation through the real engine, storage and outbox, as a test channel."""

from __future__ import annotations

import itertools
from typing import Any

from bot.app import HoTro
from handlers.turn import Attachment, Incoming
from tests.recording import RecordingTransport

_events = itertools.count(1)


class Chat:
    def __init__(self, app: HoTro, chat_id: str = "c1", channel: str = "test") -> None:
        self.app = app
        self.chat_id = chat_id
        self.channel = channel
        transport = app.sender.transports.get(channel)
        if not isinstance(transport, RecordingTransport):
            transport = RecordingTransport(channel)
            app.sender.transports[channel] = transport
        self.transport = transport

    async def _turn(self, **kwargs: Any) -> list[dict[str, Any]]:
        before = len(self.transport.sent)
        await self.app.handle(
            Incoming(self.channel, self.chat_id, self.chat_id, f"e{next(_events)}", display_name="Lan", **kwargs)
        )
        return [p for c, p in self.transport.sent[before:] if c == self.chat_id]

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self._turn(text=text)

    async def tap(self, action: str) -> list[dict[str, Any]]:
        return await self._turn(action=action)

    async def attach(self, file_id: str, kind: str = "photo") -> list[dict[str, Any]]:
        return await self._turn(attachment=Attachment(kind, file_id))

    def buttons(self) -> list[dict[str, str]]:
        """Buttons of the most recent message that had any."""
        for _chat, payload in reversed(self.transport.sent):
            if _chat == self.chat_id and payload["buttons"]:
                return [b for row in payload["buttons"] for b in row]
        return []

    async def press(self, label_part: str) -> list[dict[str, Any]]:
        """Press the button of the latest keyboard whose label contains label_part."""
        for button in self.buttons():
            if label_part.casefold() in button["label"].casefold():
                return await self.tap(button["action"])
        raise AssertionError(f"no button {label_part!r} in {[b['label'] for b in self.buttons()]}")

    @property
    def last_text(self) -> str:
        return self.transport.texts(self.chat_id)[-1]

    def all_text(self) -> str:
        return "\n".join(self.transport.texts(self.chat_id))


def joined(payloads: list[dict[str, Any]]) -> str:
    return "\n".join(p["text"] for p in payloads)


async def follow_up(app: HoTro, first: str, then: str) -> str:
    """What `then` is answered in a new chat right after `first`: a follow-up question after the one it follows."""
    chat = Chat(app)
    await chat.say("/start")
    await chat.say(first)
    return joined(await chat.say(then))
