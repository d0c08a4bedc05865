"""Reviewing applications: the lifecycle rules, the review service (every change queues its notice)
and the officials' chat screens."""

from __future__ import annotations

from handlers.review import chat, console_login
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat, console_login):
    router.include(_module.router)
