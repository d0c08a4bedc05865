"""The one official gate: a handler wrapped in officials_only() runs only for a registered, active official.

    router.action("of")(officials_only(on_action))          # on_action(turn, official)

Anyone else gets the refusal (by default: "only for registered officials" and the main menu; a feature
may give its own) and the handler never runs. The gate hands the handler the Official and keeps it as
turn.official for what the handler calls in turn (a form's submit function).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.menu import show_menu
from handlers.router import Handler
from handlers.turn import Turn
from messages.i18n import N_, _
from storage.models import Official
from storage.officials import get_official, may_change

OfficialHandler = Callable[[Turn, Official], Awaitable[None]]
REFUSAL = N_("This function is only for registered officials.")
MONITOR_REFUSAL = N_("As a monitor you can view but not change anything.")


async def refuse(turn: Turn) -> None:
    await show_menu(turn, _(REFUSAL))


async def official_of(turn: Turn) -> Official | None:
    """The active official writing in this turn (looked up once per turn)."""
    if turn.official is None:
        turn.official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    return turn.official


async def refuse_monitor(turn: Turn) -> None:
    await show_menu(turn, _(MONITOR_REFUSAL))


def officials_only(
    handler: OfficialHandler,
    *,
    refusal: Handler = refuse,
    changes: bool = False,
    monitor_refusal: Handler = refuse_monitor,
) -> Handler:
    """changes=True: the handler changes something, so a monitor (read only) is refused too."""

    async def gated(turn: Turn) -> None:
        official = await official_of(turn)
        if official is None:
            await refusal(turn)
            return
        if changes and not may_change(official):
            await monitor_refusal(turn)
            return
        await handler(turn, official)

    gated.__name__ = gated.__qualname__ = handler.__name__
    gated.__doc__ = handler.__doc__
    return gated


def gated_official(turn: Turn) -> Official:
    """The official the gate let through, for code that a gated handler calls (a form's submit)."""
    if turn.official is None:
        raise RuntimeError("called outside officials_only()")
    return turn.official
