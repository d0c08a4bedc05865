"""The officials' progress report: the service (figures rendered per area, daily reports) and /baocao."""

from __future__ import annotations

from handlers.report import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
