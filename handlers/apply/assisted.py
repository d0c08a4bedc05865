"""Registration on a citizen's behalf (issue 18): an official, or a helper (a village head or volunteer,
scoped to a commune: `hotro officials add --role helper --area CODE`), registers an application for a
citizen without a phone, with the citizen in person.

The assistant reads the data-protection notice to the citizen and confirms the consent given in person;
the form is the citizen's own (the phone may be skipped, a helper's commune is the place already); the
application records who assisted (`assisted_by`, its audit actor "official:<id>") and the in-person consent.
Until the citizen links a chat of their own, the application's notices go to the assistant's chat. The
citizen links it by looking it up (code + last 4 ID digits, rate-limited) and pressing "Follow this
application" (handlers/lookup/chat.py): once, after which notices go to the citizen's chat only.
"""

from __future__ import annotations

from handlers.apply import chat as intake
from handlers.menu import show_menu
from handlers.router import Router
from handlers.turn import Button, CoreState, Turn
from messages.i18n import _
from storage.officials import get_assistant

ACTION = "asst"


async def start(turn: Turn) -> None:
    """'asst' asks which support; 'asst:hkd' / 'asst:ldtd' shows the notice to read to the citizen."""
    assistant = await get_assistant(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if assistant is None:
        await show_menu(turn, _("Only registered officials and helpers can register for a citizen."))
        return
    kind = turn.action_arg
    if kind not in intake.KINDS:
        turn.goto(CoreState.MENU, {})
        turn.say(
            _("Register an application for a citizen who is with you. Which support?"),
            [
                [Button(_("Household business (3.000.000 ₫)"), f"{ACTION}:hkd")],
                [Button(_("Free worker without a labour contract"), f"{ACTION}:ldtd")],
                [Button(_("« Main menu"), "menu")],
            ],
        )
        return
    turn.goto(intake.ApplyState.CONSENT, {"kind": kind, "assisted_by": assistant.id})
    await intake.ask_consent(turn)


router = Router()  # included by handlers/apply/__init__.py
router.action(ACTION)(start)
