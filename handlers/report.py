"""The officials' progress report: `/baocao` in the chat, the daily push, `hotro report`.

The district asks every commune for a progress report each day before 15:00; this shows the
report of the official's own area (handlers/progress_report.py, the service) as one chat message.
"""

from __future__ import annotations

from handlers import progress_report as service
from handlers.menu import back_to_menu_button
from handlers.router import Router
from handlers.turn import Button, Menu, Turn
from messages import fmt
from messages.i18n import N_, _
from storage.officials import get_official

# The officials' menu entry; the action and the entry are registered below.
REPORT_LABEL = N_("📊 Progress report")
REPORT_ACTION = "report"


async def report_command(turn: Turn) -> None:
    """`/baocao` or the menu button: the report for the official's area; citizens are told it is not for them."""
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        turn.say(
            _(
                "Sorry, the progress report is only for officials who handle the support applications. "
                "Type /menu to go back to the main menu."
            ),
            [back_to_menu_button()],
        )
        return
    today = fmt.today_local(turn.now)
    # The state is left alone: a form in progress continues after the report.
    turn.say(
        await service.area_text(turn.session, official, today, turn.now),
        [[Button(_("🔄 Refresh"), REPORT_ACTION)], back_to_menu_button()],
    )


router = Router()  # this feature's commands, actions, states and menu entries (handlers/app.py includes it)
router.menu_entry(REPORT_LABEL, REPORT_ACTION, menu=Menu.OFFICIALS)
router.command("/baocao", "/report")(report_command)
router.action(REPORT_ACTION)(report_command)
