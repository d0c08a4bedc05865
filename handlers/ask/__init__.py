"""Asking: the policies explained, the eligibility check and free-text questions answered."""

from __future__ import annotations

from handlers.ask import eligibility, office_hours, policies, questions
from handlers.router import Router

# The feature's router: its modules' routers, in menu order (handlers/routes.py includes it).
router = Router()
for _module in (policies, questions, eligibility, office_hours):
    router.include(_module.router)
