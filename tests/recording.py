"""A transport that records what would be sent: for engine tests that need no platform."""

from __future__ import annotations

from typing import Any

from bot.transport import Blocked, RetryLater


class RecordingTransport:
    def __init__(self, channel: str = "test") -> None:
        self.channel = channel
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail_next: list[Exception] = []
        self.blocked: set[str] = set()

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        if chat_id in self.blocked:
            raise Blocked("blocked")
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append((chat_id, payload))

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [p["text"] for c, p in self.sent if chat_id is None or c == chat_id]

    def last(self, chat_id: str | None = None) -> dict[str, Any]:
        return [p for c, p in self.sent if chat_id is None or c == chat_id][-1]


__all__ = ["RecordingTransport", "RetryLater"]
