"""Assembles the router: the core (handlers/menu.py), then each feature's router, in menu order."""

from __future__ import annotations

from handlers import broadcast, eligibility, intake, menu, officials, policies, questions, report, status
from handlers.router import Router

FEATURES = (policies, questions, eligibility, intake, status, officials, report, broadcast)


def build_router() -> Router:
    router = Router()
    menu.register(router)
    for feature in FEATURES:
        router.include(feature.router)
    return router
