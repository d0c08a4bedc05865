"""Public posting (niêm yết công khai): the service (the masked list of an area's decisions, the day it was
posted; shared by the CLI, the chat and the web console), the list as a file (PDF, HTML, XLSX) and the
officials' chat screens."""

from __future__ import annotations

from handlers.posting import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
