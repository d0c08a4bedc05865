"""Routes a turn: global commands, then button actions, then the current state's handler."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers import actions
from handlers.turn import CoreState, Menu, MenuEntry, Turn

Handler = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class StateSpec:
    handle: Handler
    ask: Handler | None = None  # re-asks the current step (after a timeout or a stale button)
    resumable: bool = False  # kept across a conversation timeout (a form being filled in)
    takes_files: Callable[[Turn], bool] | None = None  # does the current step keep a photo or file?
    # Is this typed text a question rather than the step's answer? Then the conversation goes back to the
    # main menu and the text is answered (Router.question), as if typed there.
    questions: Callable[[Turn], bool] | None = None


# A command as Telegram sends one (Bot API: "/command", with "@botname" in groups), after command_word.
_COMMAND = re.compile(r"/[a-z0-9_]{1,32}")


def command_word(text: str) -> str:
    """The command a text starts with, lower-cased ('/start@HoTroBot payload' -> '/start'); else the text."""
    word = text.strip().lower()
    if word.startswith("/"):
        word = word.split("@", 1)[0].split(" ", 1)[0]
    return word


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.states: dict[str, StateSpec] = {}
        self.fallback: Handler | None = None
        self.refuse: Handler | None = None  # a payload no action accepts (forged, malformed, unknown)
        self.unknown_command: Handler | None = None  # "/abc": a command no feature registered
        # Typed phrases handled as a command is ("để sau"): a predicate on the text, and its handler.
        self.phrases: list[tuple[Callable[[str], bool], Handler]] = []
        # Global handlers that act on the form being filled in (cancel, resume) instead of leaving it.
        self.form_handlers: set[Handler] = set()
        self.menu: list[MenuEntry] = []
        # What typed text in the main menu (or in a step that declares `questions`) becomes: an answered
        # question. Registered by the feature that answers questions (handlers.ask), called by the others.
        self.question: Handler | None = None

    def include(self, feature: Router) -> None:
        """Take over a feature's router: its commands, actions, states and menu entries.

        A name registered twice is a wiring mistake, refused here rather than silently replaced."""
        clash = (
            [f"command {name}" for name in self.commands.keys() & feature.commands.keys()]
            + [f"action {name}" for name in self.actions.keys() & feature.actions.keys()]
            + [f"state {name}" for name in self.states.keys() & feature.states.keys()]
        )
        if feature.question is not None and self.question is not None:
            clash.append("the question handler")
        if clash:
            raise ValueError(f"registered twice: {sorted(clash)}")
        self.question = self.question or feature.question
        self.commands.update(feature.commands)
        self.phrases += feature.phrases
        self.actions.update(feature.actions)
        self.states.update(feature.states)
        self.form_handlers |= feature.form_handlers
        self.menu += [entry for entry in feature.menu if entry not in self.menu]

    def menu_entry(self, label: str, action: str, *, menu: Menu = Menu.MAIN, officials_only: bool = False) -> None:
        """A button in the main menu (or the officials' menu); entries keep their registration order."""
        entry = MenuEntry(label, action, menu, officials_only)
        if entry not in self.menu:
            self.menu.append(entry)

    def phrase(self, recognises: Callable[[str], bool]) -> Callable[[Handler], Handler]:
        """Register a global phrase: typed text `recognises` accepts is handled like a command (a form in
        progress is paused, not answered with it)."""

        def register(fn: Handler) -> Handler:
            self.phrases.append((recognises, fn))
            return fn

        return register

    def command(self, *names: str) -> Callable[[Handler], Handler]:
        """Register a global command; names are matched on NFC-normalised, lower-cased text."""

        def register(fn: Handler) -> Handler:
            for name in names:
                self.commands[name.lower()] = fn
            return fn

        return register

    def action(self, verb: str) -> Callable[[Handler], Handler]:
        """Register a global button action: payload 'verb' or 'verb:arg'."""

        def register(fn: Handler) -> Handler:
            self.actions[verb] = fn
            return fn

        return register

    def state(
        self,
        prefix: str,
        *,
        ask: Handler | None = None,
        resumable: bool = False,
        takes_files: Callable[[Turn], bool] | None = None,
        questions: Callable[[Turn], bool] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register the handler of a state, or of every state 'prefix.*'."""

        def register(fn: Handler) -> Handler:
            self.states[prefix] = StateSpec(fn, ask, resumable, takes_files, questions)
            return fn

        return register

    def spec_for(self, state: str) -> StateSpec | None:
        # Exact state first, then the longest dotted prefix: 'apply.hkd.phone' -> 'apply.hkd' -> 'apply'.
        name = state
        while True:
            if name in self.states:
                return self.states[name]
            if "." not in name:
                return None
            name = name.rsplit(".", 1)[0]

    def command_for(self, text: str) -> Handler | None:
        return self.commands.get(command_word(text))

    def accepts(self, payload: str) -> bool:
        """Declared actions must unpack with their types and bounds; a verb registered without a
        declaration still gets short plain words only; any other verb is refused."""
        verb = payload.split(":", 1)[0]
        if any(name.split(":", 1)[0] == verb for name in actions.ACTIONS):
            return actions.unpack(payload) is not None
        return verb in self.actions and actions.plausible(payload)

    def _pause_form(self, turn: Turn, handler: Handler) -> None:
        """A global command or action in the middle of a form keeps the answers: the form is paused
        (the main menu then offers to continue it) rather than thrown away."""
        spec = self.spec_for(turn.state)
        if spec is not None and spec.resumable and "answers" in turn.data and handler not in self.form_handlers:
            turn.pause()

    async def _answer_in_form(self, turn: Turn, *, keep: bool) -> None:
        """A question typed in the middle of a form: answered, then the form's step is asked again, so that
        what the citizen types next is its answer. An answer that opened another flow (a look-up, the
        complaints menu) leaves a resumable form paused instead (the main menu offers to continue it), and
        ends any other."""
        assert self.question is not None
        turn.pause()
        await self.question(turn)
        if turn.state == CoreState.MENU and turn.resume():
            spec = self.spec_for(turn.state)
            if spec is not None and spec.ask is not None:
                await spec.ask(turn)
        elif not keep:
            turn.drop_paused()

    async def dispatch(self, turn: Turn) -> None:
        if turn.incoming.text:
            command = self.command_for(turn.incoming.text)
            if command is not None:
                self._pause_form(turn, command)
                await command(turn)
                return
            if self.unknown_command is not None and _COMMAND.fullmatch(command_word(turn.incoming.text)):
                await self.unknown_command(turn)  # not a step's answer, nor a question
                return
            phrase = next((fn for recognises, fn in self.phrases if recognises(turn.incoming.text)), None)
            if phrase is not None:
                self._pause_form(turn, phrase)
                await phrase(turn)
                return
        verb = turn.action_verb
        if turn.action is not None and not self.accepts(turn.action):
            if self.refuse is not None:
                await self.refuse(turn)
            return
        if verb is not None and verb in self.actions:
            self._pause_form(turn, self.actions[verb])
            await self.actions[verb](turn)
            return
        spec = self.spec_for(turn.state)
        if spec is not None and spec.questions is not None and self.question is not None and spec.questions(turn):
            if "answers" in turn.data or spec.resumable:  # a form's step, or the consent before it
                await self._answer_in_form(turn, keep=spec.resumable)
                return
            turn.goto(CoreState.MENU, {})
            await self.question(turn)
        elif spec is not None:
            await spec.handle(turn)
        elif self.fallback is not None:
            await self.fallback(turn)
