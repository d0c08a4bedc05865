"""Officials' announcements to citizens: the service (audiences, preview, send, stop) and the chat."""

from __future__ import annotations

from handlers.announce import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
