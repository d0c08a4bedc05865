"""Complaints and feedback (phản ánh, kiến nghị, PA- codes): the service (submit, acknowledge, answer,
reply, render; shared by the chat and the web console) and the chat (the citizen's form, look-up and reply;
the officials' and monitors' screens)."""

from __future__ import annotations

from handlers.complaints import chat
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (chat,):
    router.include(_module.router)
