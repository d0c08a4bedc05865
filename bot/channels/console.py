"""The console channel: chat with the bot in a terminal, or script it through stdin.

Scriptable when stdin is not a terminal: each input line is one message, replies go to
stdout with buttons as `[N] Label`, and `#N` or a button's exact label presses it.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.app import HoTro
from bot.channels.inbound import clean_incoming
from bot.transport import Held
from handlers.turn import Incoming
from messages.i18n import _
from messages.vocabulary import Channel
from storage import outbox
from storage.conversations import has_conversation

CHANNEL: str = Channel.CONSOLE


class ConsoleTransport:
    """Prints to this terminal's user; messages for other console users wait until they chat."""

    channel = CHANNEL

    def __init__(self, out: TextIO, chat_id: str) -> None:
        self.out = out
        self.chat_id = chat_id

    async def send(self, chat_id: str, payload: dict[str, Any]) -> None:
        if chat_id != self.chat_id:
            raise Held(f"console user {chat_id} is not here")
        self.out.write(render(payload) + "\n")
        self.out.flush()


def render(payload: dict[str, Any]) -> str:
    lines = [payload["text"]]
    number = 0
    for row in payload.get("buttons", []):
        for button in row:
            number += 1
            lines.append(f"[{number}] {button['label']}")
    return "\n".join(lines) + "\n"


async def _is_new(app: HoTro, chat_id: str) -> bool:
    async with app.sessions() as session:
        return not await has_conversation(session, CHANNEL, chat_id)


async def run_console(app: HoTro, user_id: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    interactive = stdin.isatty()
    app.sender.transports[CHANNEL] = ConsoleTransport(stdout, user_id)

    async def send(text: str | None = None, action: str | None = None) -> None:
        incoming = Incoming(CHANNEL, user_id, user_id, uuid.uuid4().hex, text=text, action=action)
        await app.handle(clean_incoming(incoming))

    # Notices that arrived while this user was away (e.g. a status change) come first.
    async with app.sessions.begin() as session:
        await outbox.release_held(session, CHANNEL, user_id, datetime.now(UTC))
    waited = await app.sender.deliver(channel=CHANNEL, chat_id=user_id)
    if await _is_new(app, user_id):
        await send("/start")
    elif not waited:  # a returning user: the question they left is asked again (after news, news is last)
        if interactive:
            stdout.write(_("(Continuing your previous conversation. Type /menu for the main menu.)") + "\n")
        await send(action="resume")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        text = line.rstrip("\r\n")
        if text:  # a line of spaces is a message too: the bot says nothing was typed, as on Telegram
            await send(text)
