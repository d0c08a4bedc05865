"""Routes a turn: global commands, then button actions, then the current state's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.turn import Turn

Handler = Callable[[Turn], Awaitable[None]]


@dataclass(frozen=True)
class StateSpec:
    handle: Handler
    ask: Handler | None = None  # re-asks the current step (after a timeout or a stale button)
    resumable: bool = False  # kept across a conversation timeout (a form being filled in)


class Router:
    def __init__(self) -> None:
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        self.states: dict[str, StateSpec] = {}
        self.fallback: Handler | None = None

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
        self, prefix: str, *, ask: Handler | None = None, resumable: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register the handler of a state, or of every state 'prefix.*'."""

        def register(fn: Handler) -> Handler:
            self.states[prefix] = StateSpec(fn, ask, resumable)
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
        word = text.strip().lower()
        if word.startswith("/"):
            word = word.split("@", 1)[0].split(" ", 1)[0]  # '/start@HoTroBot payload'
        return self.commands.get(word)

    async def dispatch(self, turn: Turn) -> None:
        if turn.incoming.text:
            command = self.command_for(turn.incoming.text)
            if command is not None:
                await command(turn)
                return
        verb = turn.action_verb
        if verb is not None and verb in self.actions:
            await self.actions[verb](turn)
            return
        spec = self.spec_for(turn.state)
        if spec is not None:
            await spec.handle(turn)
        elif self.fallback is not None:
            await self.fallback(turn)
