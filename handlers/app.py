"""Assembles the router from the feature modules."""

from __future__ import annotations

from handlers import (
    broadcast,
    complaints,
    eligibility,
    intake,
    menu,
    officials,
    policies,
    posting,
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
    complaints.register(router)
    officials.register(router)
    report.register(router)
    posting.register(router)
    broadcast.register(router)
    return router
