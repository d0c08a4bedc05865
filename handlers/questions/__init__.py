"""Free-text questions: understand them (classify, facts) and answer them (verdict, answer)."""

from __future__ import annotations

from handlers.menu import fallback, start
from handlers.questions.answer import answer, chosen_topic, knowledge_entry
from handlers.router import Router
from handlers.turn import Turn


async def idle(turn: Turn) -> None:
    """The menu (and a brand-new chat): typed text is a question."""
    if turn.state == "start":
        await start(turn)
        if turn.text and not turn.action:
            await answer(turn)
        return
    if turn.text and not turn.action:
        await answer(turn)
        return
    await fallback(turn)


def register(router: Router) -> None:
    router.action("q")(chosen_topic)
    router.action("kb")(knowledge_entry)
    router.state("start")(idle)
    router.state("menu")(idle)
