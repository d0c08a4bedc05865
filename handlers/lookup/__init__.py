"""The citizen's applications after submitting: status, look-up by code, answering, withdrawing (chat)."""

from __future__ import annotations

from handlers.lookup import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
