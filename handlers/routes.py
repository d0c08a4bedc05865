"""Assembles the router: the core (handlers/menu.py), then each feature's router, in menu order."""

from __future__ import annotations

from handlers import menu
from handlers.announce import chat as broadcast
from handlers.apply import chat as intake
from handlers.ask import eligibility, policies, questions
from handlers.lookup import chat as status
from handlers.report import chat as report
from handlers.review import chat as officials
from handlers.router import Router

FEATURES = (policies, questions, eligibility, intake, status, officials, report, broadcast)


def build_router() -> Router:
    router = Router()
    menu.register(router)
    for feature in FEATURES:
        router.include(feature.router)
    return router
