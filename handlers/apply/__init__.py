"""Applying for support: the consent, the forms (chat) and storing the application (service.submit); an
official or helper registering a citizen on their behalf (assisted)."""

from __future__ import annotations

from handlers.apply import assisted, chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat, assisted):
    router.include(_module.router)
