"""Applying for support: the consent, the forms (chat) and storing the application (service.submit)."""

from __future__ import annotations

from handlers.apply import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
