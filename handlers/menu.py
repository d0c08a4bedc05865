"""Global commands and the main menu: reachable from any state."""

from __future__ import annotations

from handlers.intents import wants_later
from handlers.router import Handler, Router, command_word
from handlers.turn import IDLE_STATES, TAKES_TEXT, Button, CoreState, Menu, Turn
from messages.i18n import _
from storage.officials import get_assistant, reviews


def menu_buttons(turn: Turn) -> list[list[Button]]:
    """The main menu's entries the features registered with their routers (Router.menu_entry), and Help."""
    rows = [
        [Button(_(entry.label), entry.action)]
        for entry in turn.menu
        if entry.menu == Menu.MAIN and not entry.officials_only
    ]
    rows.append([Button(_("Help"), "help")])
    return rows


def entries(turn: Turn, menu: Menu) -> list[Button]:
    """The buttons of one menu (the officials' menu), in registration order."""
    return [Button(_(entry.label), entry.action) for entry in turn.menu if entry.menu == menu]


def back_to_menu_button() -> list[Button]:
    return [Button(_("« Main menu"), "menu")]


def resume_button() -> list[Button]:
    return [Button(_("▶️ Continue the application in progress"), "resume")]


async def show_menu(turn: Turn, intro: str | None = None) -> None:
    turn.goto(CoreState.MENU, {})
    turn.takes_text = False
    rows = menu_buttons(turn)
    if turn.paused is not None:
        rows.insert(0, resume_button())
    for_officials = [e for e in turn.menu if e.menu == Menu.MAIN and e.officials_only]
    # One look-up answers both: an active official or monitor sees the officials' entries, and an
    # official or helper may register for a citizen.
    assistant = await get_assistant(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if for_officials and assistant is not None and reviews(assistant):
        rows[0:0] = [[Button(_(entry.label), entry.action)] for entry in for_officials]
    if assistant is not None:
        # An official or a helper (who is no official otherwise) registers for citizens without a phone.
        rows.insert(0, [Button(_("📝 Register for a citizen"), "asst")])
    turn.say(intro or _("What would you like to do? Choose an option below, or type your question."), rows)


async def start(turn: Turn) -> None:
    name = turn.user.display_name
    greeting = _("Hello {name}!").format(name=name) if name else _("Hello!")
    turn.say(
        greeting
        + " "
        + _(
            "I am HoTro, the assistant for the 2021 COVID-19 support policies "
            "(Resolution 68/NQ-CP and Decision 23/2021/QĐ-TTg, as amended). "
            "I can explain the policies, check what you may receive, take your application "
            "and tell you where it stands."
        )
    )
    await show_menu(turn)


def _commands() -> str:
    return _(
        "• /menu: main menu\n"
        "• /hoso: your applications\n"
        "• /huy: cancel what you are doing\n"
        "• /start: start again\n"
        "• /help: how to use HoTro"
    )


async def help_(turn: Turn) -> None:
    turn.say(
        _(
            "How to use HoTro:\n"
            "• Press a button, or type its number like #1.\n"
            "• Type a question in your own words, with or without accents."
        )
        + "\n"
        + _commands()
        + "\n"
        + _("Your answers are saved as you go, so you can come back later and continue.")
    )
    await show_menu(turn)


def _typed_over_a_question(turn: Turn) -> bool:
    """'Hủy' typed where a form asked a free-text question: perhaps an answer, perhaps a slip."""
    typed = turn.incoming.typed or (turn.text and not turn.text.startswith("/"))
    return bool(typed) and "answers" in turn.data and bool(turn.data.get(TAKES_TEXT))


async def cancel(turn: Turn) -> None:
    if turn.state in IDLE_STATES:
        await show_menu(turn, _("There is nothing to cancel."))
        return
    if turn.action != "cancel:yes" and _typed_over_a_question(turn):
        turn.say(
            _("Do you want to cancel what you are filling in? The answers given so far will be deleted."),
            [[Button(_("Yes, cancel it"), "cancel:yes")], [Button(_("No, continue"), "resume")]],
        )
        return
    await show_menu(turn, _("Cancelled. What would you like to do next?"))


async def fallback(turn: Turn) -> None:
    """Anything no state claims: a stale button or a message in the idle state."""
    if turn.action:
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
    elif turn.incoming.text is not None and not turn.text.strip() and turn.incoming.attachment is None:
        await show_menu(turn, _("You have not typed anything. Please type your answer."))
    else:
        await show_menu(turn, _("Sorry, I did not understand. Please choose an option below."))


def _idle(router: Router) -> Handler:
    async def idle(turn: Turn) -> None:
        """The main menu (and a brand-new chat): typed text is a question (Router.question answers it)."""
        question = router.question if turn.text and not turn.action else None
        if turn.state == CoreState.START:
            await start(turn)
            if question is not None:
                await question(turn)
            return
        if question is not None:
            await question(turn)
            return
        await fallback(turn)

    return idle


def _again(router: Router) -> Handler:
    async def again(turn: Turn) -> None:
        """'resume': ask the pending question again, of the paused form or else of the current step."""
        spec = router.spec_for(turn.state)
        ask = spec.ask if spec is not None and turn.state not in IDLE_STATES else None
        if ask is not None and (turn.paused is None or "answers" in turn.data):
            await ask(turn)
            return
        if turn.resume():
            spec = router.spec_for(turn.state)
            if spec is not None and spec.ask is not None:
                await spec.ask(turn)
                return
        await show_menu(turn)

    return again


def _refuse(router: Router) -> Handler:
    async def refuse(turn: Turn) -> None:
        """A payload no action accepts: say so and go on with what was being done."""
        turn.say(_("That button is not valid (it may come from an altered or very old message); nothing was done."))
        await _go_on(router, turn)

    return refuse


def _unknown_command(router: Router) -> Handler:
    async def unknown_command(turn: Turn) -> None:
        """An unregistered command ("/abc"): say which commands there are, and go on with what was being done."""
        turn.say(_("There is no command {command}.").format(command=command_word(turn.text)) + "\n" + _commands())
        await _go_on(router, turn)

    return unknown_command


async def _go_on(router: Router, turn: Turn) -> None:
    """After a refusal: the step being answered, asked again, or the menu."""
    spec = router.spec_for(turn.state)
    if turn.state not in IDLE_STATES and spec is not None and spec.ask is not None:
        await spec.ask(turn)
    else:
        await show_menu(turn)


async def later(turn: Turn) -> None:
    """Typed "để sau": a form in progress is kept (the router paused it), and the menu offers it again."""
    if turn.paused is not None:
        turn.say(
            _("Fine: what you have answered so far is kept. To go on, press “▶️ Continue the application in progress”.")
        )
    else:
        turn.say(_("Fine. Write to HoTro whenever you need."))
    await show_menu(turn)


def register(router: Router) -> None:
    router.command("/start", "/batdau")(start)
    router.phrase(wants_later)(later)
    router.command("/help", "/trogiup")(help_)
    router.command("/huy", "/cancel", "hủy", "huỷ")(cancel)
    router.command("/menu", "menu")(show_menu)
    router.action("menu")(show_menu)
    router.action("help")(help_)
    router.action("cancel")(cancel)
    router.action("resume")(_again(router))
    router.form_handlers |= {cancel, router.actions["resume"]}
    router.state(CoreState.START)(_idle(router))
    router.state(CoreState.MENU)(_idle(router))
    router.fallback = fallback
    router.refuse = _refuse(router)
    router.unknown_command = _unknown_command(router)
