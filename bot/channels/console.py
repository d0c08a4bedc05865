"""The console channel: chat with the bot in a terminal, or script it through stdin.

Scriptable when stdin is not a terminal: each input line is one message, replies go to
stdout with buttons as `[N] Label`, and `#N` or a button's exact label presses it.
A line `/tep PATH` sends the file at PATH as an attachment (a photo when it is an image), as a
phone would send a photo: of a document, or of the ID card's QR code where the form asks for it.
"""

from __future__ import annotations

import asyncio
import mimetypes
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.app import HoTro
from bot.channels.inbound import clean_incoming
from bot.files import LocalFiles
from bot.transport import Held
from handlers.turn import Attachment, Incoming
from messages.i18n import _
from messages.vocabulary import Channel
from storage import outbox
from storage.conversations import has_conversation

CHANNEL: str = Channel.CONSOLE
ATTACH_COMMAND = "/tep"  # "tệp": a file
MAX_FILE_REF = 256  # Attachment.file_id's column: the path is the file's reference


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


def attachment_for(line: str, cwd: Path | None = None) -> Attachment | str:
    """The attachment a `/tep PATH` line sends, or what to tell the user instead."""
    raw = line[len(ATTACH_COMMAND) :].strip().strip('"')
    if not raw:
        return _("To send a file, type /tep followed by its path, for example: /tep anh-cccd.jpg")
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if not path.is_file():
        return _("There is no file at {path}.").format(path=raw)
    reference = str(path.resolve())
    if len(reference) > MAX_FILE_REF:
        return _("The path of this file is too long; please move it to a shorter path.")
    mime, _encoding = mimetypes.guess_type(path.name)
    kind = "photo" if mime is not None and mime.startswith("image/") else "document"
    return Attachment(kind, reference, path.name, mime)


async def run_console(app: HoTro, user_id: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    interactive = stdin.isatty()
    app.sender.transports[CHANNEL] = ConsoleTransport(stdout, user_id)
    app.engine.files[CHANNEL] = LocalFiles()

    async def send(text: str | None = None, action: str | None = None, attachment: Attachment | None = None) -> None:
        incoming = Incoming(
            CHANNEL, user_id, user_id, uuid.uuid4().hex, text=text, action=action, attachment=attachment
        )
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
        if text.split(" ", 1)[0].lower() == ATTACH_COMMAND:
            attachment = attachment_for(text)
            if isinstance(attachment, str):
                stdout.write(attachment + "\n")
                stdout.flush()
            else:
                await send(attachment=attachment)
        elif text:  # a line of spaces is a message too: the bot says nothing was typed, as on Telegram
            await send(text)
