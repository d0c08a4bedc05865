"""HandlerConfig: the part of the deployment's settings that handlers read.

Built once at start-up from bot.config.Settings (Settings.handler_config()) and handed to every turn
as Turn.config. It holds no tokens, secrets or keys: a handler cannot reach what it has no use for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from messages.free_worker_scheme import FreeWorkerScheme

DEFAULT_PROVINCE = 20  # Lạng Sơn (GSO code, 2021 units)
DEFAULT_BROADCAST_RATE = 25.0  # messages per second: under Telegram's ~30 per bot


@dataclass(frozen=True)
class HandlerConfig:
    province_code: int = DEFAULT_PROVINCE  # the deployment's home province
    hotline: str | None = None  # the support hotline offered when the bot cannot answer
    free_worker: FreeWorkerScheme = field(default_factory=FreeWorkerScheme)  # the province's scheme
    as_of_date: date | None = None  # the date eligibility advice treats as today; None: the real date
    broadcast_rate_per_second: float = DEFAULT_BROADCAST_RATE  # for the announcement's time estimate
