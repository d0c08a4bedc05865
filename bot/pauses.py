"""One rate-limit pause per channel, shared by the outbox sender (replies, notices) and the broadcaster.

Telegram's 429 ("Too Many Requests", parameters.retry_after) and Zalo's call limit are for the whole
bot, not for one chat: once one send gets it, no send on that channel may go out before it has passed,
or each of them only collects another 429. Whoever gets it records it here (the broadcaster also on
its schedule in the database, for the other processes). When the pause ends, the replies it held go
first: announcements wait REPLIES_FIRST seconds more, as a citizen waiting for an answer matters more.
"""

from __future__ import annotations

import time
from collections.abc import Callable

REPLIES_FIRST = 1.0


class ChannelPauses:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._until: dict[str, float] = {}

    def pause(self, channel: str, seconds: float) -> float:
        """No send on `channel` for `seconds` (a longer pause already running is kept); returns its end."""
        until = max(self._until.get(channel, 0.0), self.clock() + seconds)
        self._until[channel] = until
        return until

    def until(self, channel: str) -> float:
        """Epoch time before which replies on `channel` wait (0 when not paused)."""
        return self._until.get(channel, 0.0)

    def remaining(self, channel: str) -> float:
        return max(0.0, self.until(channel) - self.clock())

    def announcements_until(self, channel: str) -> float:
        until = self.until(channel)
        return until + REPLIES_FIRST if until else 0.0
