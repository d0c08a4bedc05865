"""Assembles the router from the feature modules."""

from __future__ import annotations

from handlers import (
    broadcast,
    eligibility,
    intake,
    menu,
    officials,
    payment_confirm,
    policies,
    questions,
    report,
    status,
)
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
    payment_confirm.register(router)
    return router
