"""Free-text questions: understand them (classify, facts) and answer them (verdict, answer)."""

from __future__ import annotations

from handlers.apply import chat as intake
from handlers.ask.questions.answer import answer, chosen_topic, knowledge_entry
from handlers.ask.questions.intents import chat_intent, code_in
from handlers.lookup import chat as status
from handlers.menu import fallback, start
from handlers.router import Router
from handlers.turn import CoreState, Turn


async def idle(turn: Turn) -> None:
    """The menu (and a brand-new chat): typed text is a question."""
    if turn.state == CoreState.START:
        await start(turn)
        if turn.text and not turn.action:
            await answer(turn)
        return
    if turn.text and not turn.action:
        await answer(turn)
        return
    await fallback(turn)


async def code_or_question(turn: Turn) -> None:
    """The look-up's code step: a code, or what may be a mistyped one, is looked up; thanks, a
    greeting or a question with no code in it leaves the look-up and is answered instead."""
    text = turn.text
    if text and not turn.action and (chat_intent(text) or (code_in(text) is None and len(text.split()) >= 3)):
        turn.goto(CoreState.MENU, {})
        await answer(turn)
        return
    await status.lookup_state(turn)


async def choice_or_question(turn: Turn) -> None:
    """Choosing what to apply for: typed text that is none of the buttons is a question."""
    if turn.text and not turn.action:
        turn.goto(CoreState.MENU, {})
        await answer(turn)
        return
    await intake.handle_state(turn)


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.state(intake.ApplyState.CHOOSE, ask=intake.ask_state)(choice_or_question)
router.state(status.LookupState.CODE)(code_or_question)
router.action("q")(chosen_topic)
router.action("kb")(knowledge_entry)
router.state(CoreState.START)(idle)
router.state(CoreState.MENU)(idle)
