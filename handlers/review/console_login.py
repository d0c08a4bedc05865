"""`/dangnhap`: an official asks in a private chat for a one-time link into the web console (issue 16).

Only private chats reach the engine (bot/private_chats.py), so the link is never posted to a group.
The link is valid for storage.login_tokens.LIFETIME and for one login; only its hash is stored.
`hotro officials login-link` and the admins' page of the console make links the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.gate import officials_only
from handlers.menu import back_to_menu_button
from handlers.router import Router
from handlers.turn import Turn
from messages.i18n import N_, _
from storage import login_tokens
from storage.models import Official
from storage.officials import may_change

CONSOLE_PATH = "/canbo"


def login_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{CONSOLE_PATH}/login/{token}"


async def new_login_link(session: AsyncSession, official: Official, public_url: str, now: datetime) -> str:
    """A fresh one-time link for `official`. None for a monitor: the console has no read-only mode yet."""
    if not may_change(official):
        raise PermissionError(f"official {official.id} is a monitor: no web console login")
    return login_url(public_url, await login_tokens.issue(session, official, now))


def link_message(url: str) -> str:
    minutes = int(login_tokens.LIFETIME.total_seconds() // 60)
    return _(
        "Your link to the officials' web console (valid for {minutes} minutes, for one login; do not share it):\n{url}"
    ).format(minutes=minutes, url=url)


MONITOR_NO_CONSOLE = N_(
    "The web console has no read-only view for monitors yet. Type /canbo to see your area in this chat."
)


async def login_command(turn: Turn, official: Official) -> None:
    if not may_change(official):
        turn.say(_(MONITOR_NO_CONSOLE), [back_to_menu_button()])
        return
    url = await new_login_link(turn.session, official, turn.config.public_url, turn.now)
    turn.say(link_message(url), [back_to_menu_button()])


router = Router()
router.command("/dangnhap", "/login")(officials_only(login_command))
