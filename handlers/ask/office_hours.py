"""/giolamviec: when the commune's reception desk receives citizens (HOTRO_OFFICE_HOURS).

The hours differ from commune to commune and the bot knows only what the deployment sets; without
the setting it says where the hours are posted rather than guessing them.
"""

from __future__ import annotations

from handlers.menu import back_to_menu_button
from handlers.router import Router
from handlers.turn import Turn
from messages.i18n import _


async def office_hours(turn: Turn) -> None:
    hours = turn.config.office_hours
    if hours:
        text = _(
            "The reception desk (bộ phận tiếp nhận và trả kết quả) of the commune People's Committee receives "
            "citizens: {hours}."
        ).format(hours=hours)
    else:
        text = _(
            "The reception desk (bộ phận tiếp nhận và trả kết quả) of the commune People's Committee receives "
            "citizens during office hours on working days; the exact times are posted at the commune office."
        )
    # The state is left alone: a form in progress continues after the answer.
    turn.say(text + "\n" + _("You can apply and follow your application here at any time."), [back_to_menu_button()])


router = Router()
router.command("/giolamviec", "/hours")(office_hours)
