"""Assembles the router from the feature modules."""

from __future__ import annotations

from handlers import assisted, broadcast, eligibility, intake, menu, officials, policies, questions, report, status
from handlers.router import Router


def build_router() -> Router:
    router = Router()
    menu.register(router)
    policies.register(router)
    questions.register(router)
    eligibility.register(router)
    intake.register(router)
    assisted.register(router)
    status.register(router)
    officials.register(router)
    report.register(router)
    broadcast.register(router)
    return router
