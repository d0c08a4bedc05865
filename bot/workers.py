"""The background loops every serving process runs next to its channels; they share the work through the database.

Apart from bot/app.py so that the app does not import the loops that import it (app <- workers -> loops).
"""

from __future__ import annotations

import asyncio

from bot.announcement_sender import run_broadcasts
from bot.app import HoTro
from bot.report_jobs import run_scheduler
from bot.retention import run_retention


def start_workers(app: HoTro, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    return [
        asyncio.create_task(app.sender.run(stop=stop)),
        asyncio.create_task(run_scheduler(app, stop)),
        asyncio.create_task(run_retention(app, stop)),
        asyncio.create_task(run_broadcasts(app, stop)),
    ]
