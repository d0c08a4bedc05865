"""Assembles the router: the core (handlers/menu.py), then each feature folder's router, in menu order."""

from __future__ import annotations

from handlers import announce, apply, ask, complaints, lookup, menu, posting, report, review
from handlers.router import Router

FEATURES = (ask, apply, lookup, complaints, review, report, posting, announce)


def build_router() -> Router:
    router = Router()
    menu.register(router)
    for feature in FEATURES:
        router.include(feature.router)
    return router
