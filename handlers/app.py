"""Assembles the router from the feature modules."""

from __future__ import annotations

from handlers import broadcast, eligibility, intake, menu, officials, policies, questions, report, status, web_login
from handlers.router import Router


def build_router() -> Router:
    router = Router()
    menu.register(router)
    policies.register(router)
    questions.register(router)
    eligibility.register(router)
    intake.register(router)
    status.register(router)
    officials.register(router)
    report.register(router)
    broadcast.register(router)
    web_login.register(router)
    return router
