"""The PTB Bot with one change for long polling: an update it cannot parse is skipped, not fetched forever.

PTB parses getUpdates' whole answer at once (Update.de_list); one unparseable update raises, the
Updater logs it and asks again with the same offset, so that update comes back thousands of times a
second and blocks every later one. Here each raw update is checked first; one that does not parse is
logged once and replaced by a bare Update with its update_id, which the Updater confirms (the next
offset is past it) and the adapter ignores (it carries nothing).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Update

log = logging.getLogger(__name__)


def skip_unparseable(raw: list[Any], bot: Bot) -> list[Any]:
    checked: list[Any] = []
    for item in raw:
        try:
            Update.de_json(dict(item), bot)
        except Exception:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if not isinstance(update_id, int):
                raise  # without an id it cannot be confirmed; PTB's own error handling applies
            log.warning("Telegram update %s cannot be parsed: skipped", update_id)
            checked.append({"update_id": update_id})
            continue
        checked.append(item)
    return checked


class TelegramBot(Bot):
    async def _post(self, endpoint: str, data: Any = None, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, data, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            return skip_unparseable(result, self)
        return result
