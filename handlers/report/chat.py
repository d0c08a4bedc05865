"""The officials' progress report: `/baocao` in the chat, the daily push, `hotro report`.

The district asks every commune for a progress report each day before 15:00; this shows the
report of the official's own area (handlers/report/service.py, the service) as one chat message.
"""

from __future__ import annotations

from handlers.gate import officials_only
from handlers.menu import back_to_menu_button
from handlers.report import service
from handlers.router import Router
from handlers.turn import Button, Menu, Turn
from messages import fmt
from messages.i18n import N_, _
from storage.models import Official

# The officials' menu entry; the action and the entry are registered below.
REPORT_LABEL = N_("📊 Progress report")
REPORT_ACTION = "report"


async def not_for_citizens(turn: Turn) -> None:
    """The report's own refusal: the state is left alone (a form in progress continues)."""
    turn.say(
        _(
            "Sorry, the progress report is only for officials who handle the support applications. "
            "Type /menu to go back to the main menu."
        ),
        [back_to_menu_button()],
    )


async def report_command(turn: Turn, official: Official) -> None:
    """`/baocao` or the menu button: the report for the official's area; citizens are told it is not for them."""
    today = fmt.today_local(turn.now)
    # The state is left alone: a form in progress continues after the report.
    turn.say(
        await service.area_text(turn.session, official, today, turn.now),
        [[Button(_("🔄 Refresh"), REPORT_ACTION)], back_to_menu_button()],
    )


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(REPORT_LABEL, REPORT_ACTION, menu=Menu.OFFICIALS)
report = officials_only(report_command, refusal=not_for_citizens)
router.command("/baocao", "/report")(report)
router.action(REPORT_ACTION)(report)
