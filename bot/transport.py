"""What every channel's sending side implements, and the outcomes it reports (the sender, the broadcaster
and the app use it; the adapters in bot/channels/ implement it)."""

from __future__ import annotations

from typing import Any, Protocol


class RetryLater(Exception):
    """Temporary failure (rate limit, network): try again after `after` seconds."""

    def __init__(self, after: float, reason: str = "") -> None:
        super().__init__(reason or f"retry after {after}s")
        self.after = after


class RateLimited(RetryLater):
    """The platform's rate limit for the whole bot (Telegram 429): nothing on the channel may be sent for
    `after` seconds (bot.pauses)."""


class Blocked(Exception):
    """The user blocked the bot (Telegram 403): stop sending to them."""


class Held(Exception):
    """The platform accepts no message to this user now (e.g. outside Zalo's reply window):
    keep it, and send it once the user writes again."""


# The reason stored with a message held because its recipient never opened a chat with the bot.
NEVER_OPENED = "never opened a chat with the bot"


class PermanentFailure(Exception):
    """The message can never be delivered as it is (bad request)."""


class Transport(Protocol):
    channel: str

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        """Send one outbox payload ({"text", "buttons"}) or raise one of the errors above."""


def backoff(attempts: int) -> float:
    """Seconds before the next try of a message that failed `attempts` times (the outbox sender and the
    announcement broadcaster alike): doubling, at most 10 minutes."""
    return min(2.0**attempts, 600.0)
