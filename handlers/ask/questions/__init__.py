"""Free-text questions: understand them (classify, facts) and answer them (verdict, answer).

`answer` is the router's question handler (Router.question): the main menu and the steps that declare
`questions` (the choice of what to apply for, the look-up's code) hand it the text they do not take."""

from __future__ import annotations

from handlers.ask.questions.answer import answer, chosen_topic, knowledge_entry
from handlers.router import Router

router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.question = answer
router.action("q")(chosen_topic)
router.action("kb")(knowledge_entry)
