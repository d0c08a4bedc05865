"""`/dangnhap`: an official asks in a private chat for a one-time link into the web console.

Only private chats reach the engine (bot/private_chats.py), so the link is never posted to a group.
The link is valid for storage.login_tokens.LIFETIME and for one login; only its hash is stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.menu import back_to_menu_button
from handlers.router import Router
from handlers.turn import Turn
from messages.i18n import _
from storage import login_tokens
from storage.models import Official
from storage.officials import get_official

CONSOLE_PATH = "/canbo"


def login_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{CONSOLE_PATH}/login/{token}"


async def new_login_link(session: AsyncSession, official: Official, public_url: str, now: datetime) -> str:
    """A fresh one-time link for `official` (the chat, `hotro officials login-link`, the admins' page)."""
    return login_url(public_url, await login_tokens.issue(session, official, now))


def link_message(url: str) -> str:
    minutes = int(login_tokens.LIFETIME.total_seconds() // 60)
    return _(
        "Your link to the officials' web console (valid for {minutes} minutes, for one login; do not share it):\n{url}"
    ).format(minutes=minutes, url=url)


async def login_command(turn: Turn) -> None:
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        turn.say(_("This function is only for registered officials."), [back_to_menu_button()])
        return
    url = await new_login_link(turn.session, official, turn.settings.public_url, turn.now)
    turn.say(link_message(url), [back_to_menu_button()])


def register(router: Router) -> None:
    router.command("/dangnhap", "/login")(login_command)
