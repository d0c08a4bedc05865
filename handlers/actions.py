"""Button payloads: a typed pack/unpack per action, so that one place refuses forged or malformed ones.

A payload is 'name' or 'name:arg:arg', where name is a verb ('menu') or a verb and a sub-verb
('of:o'). Each action declares its arguments with their types and bounds; the router refuses a
payload that does not unpack before any handler (or the database) sees it. Payloads come back
from the platforms unchanged, so anything a client can send must be treated as untrusted input
(Telegram callback_data is 1-64 bytes of whatever the client puts there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers.turn import MAX_ACTION_BYTES
from messages.vocabulary import ApplicationStatus

INT_MAX = 2**31 - 1  # ids are SQL INTEGER columns: anything larger cannot name a row
_WORD = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Int:
    lo: int = 0
    hi: int = INT_MAX

    def parse(self, text: str) -> int | None:
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(self.hi)):
            return None
        value = int(text)
        return value if self.lo <= value <= self.hi else None


@dataclass(frozen=True)
class Word:
    choices: frozenset[str] | None = None
    pattern: re.Pattern[str] = _WORD

    def parse(self, text: str) -> str | None:
        if self.choices is not None:
            return text if text in self.choices else None
        return text if self.pattern.fullmatch(text) else None


Arg = Int | Word


@dataclass(frozen=True)
class Action:
    name: str
    args: tuple[Arg, ...] = ()
    required: int | None = None  # how many arguments must be present; the rest are optional

    def unpack(self, values: list[str]) -> tuple[Any, ...] | None:
        needed = len(self.args) if self.required is None else self.required
        if not needed <= len(values) <= len(self.args):
            return None
        parsed = tuple(arg.parse(value) for arg, value in zip(self.args, values, strict=False))
        return None if any(value is None for value in parsed) else parsed

    def pack(self, *values: Any) -> str:
        payload = ":".join([self.name, *(str(v) for v in values)])
        if self.unpack([str(v) for v in values]) is None or len(payload.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"invalid arguments for {self.name}: {values!r}")
        return payload


ACTIONS: dict[str, Action] = {}


def define(name: str, *args: Arg, required: int | None = None) -> Action:
    action = Action(name, args, required)
    ACTIONS[name] = action
    return action


def unpack(payload: str) -> tuple[Action, tuple[Any, ...]] | None:
    """The action and its typed arguments, or None for a payload no action accepts."""
    if not payload or len(payload.encode()) > MAX_ACTION_BYTES:
        return None
    parts = payload.split(":")
    for size in (2, 1):  # 'of:o:12' is the action 'of:o'; 'apply:hkd' is 'apply' with an argument
        action = ACTIONS.get(":".join(parts[:size])) if len(parts) >= size else None
        if action is not None:
            args = action.unpack(parts[size:])
            if args is not None:
                return action, args
    return None


def plausible(payload: str) -> bool:
    """For verbs registered without a declaration: short words only, nothing a handler could choke on."""
    parts = payload.split(":")
    return len(payload.encode()) <= MAX_ACTION_BYTES and all(_WORD.fullmatch(p) for p in parts) and len(parts) <= 4


# ---- the actions of the bot --------------------------------------------------------------------
CODE = Word(pattern=re.compile(r"[A-Z0-9]{4,16}"))  # an application code, normalised (handlers.app_code)
KEY = Word(pattern=re.compile(r"[a-z_]{1,40}"))  # a form field's key
STATUS = Word(frozenset(ApplicationStatus))
PAGE = Int(0, 100_000)

for _name in ("menu", "help", "status", "lookup", "report", "resume"):
    define(_name)
define("cancel", Word(frozenset({"yes"})), required=0)
define("apply", Word(frozenset({"hkd", "ldtd"})), required=0)
define("consent", Word(frozenset({"yes", "no", "person"})))  # person: given in person to an official or helper
define("asst", Word(frozenset({"hkd", "ldtd"})), required=0)  # registration on a citizen's behalf
FOLLOW = define("follow", CODE)  # a citizen links their chat to an application registered for them
ANSWER, WITHDRAW, WITHDRAW_YES = define("ans", CODE), define("wd", CODE), define("wdy", CODE)
ANSWER_TYPED = define("ansm", CODE)  # send the message just typed in the menu as that application's answer
# Policies and the eligibility check: short words (their handlers look them up in data files).
define("pol", Word(), Word(), required=0)
define("elig", Word(), Word(), required=0)
# Free-text questions (handlers.ask.questions): a topic offered when unsure, a knowledge entry's id.
QUESTION_TOPIC = define("q", Word(pattern=re.compile(r"[a-z0-9_]{1,24}")))
KNOWLEDGE_ENTRY = define("kb", Word(pattern=re.compile(r"[a-z][a-z0-9_]{0,39}")))
# The officials' screens.
define("of")
OF_LIST = define("of:l", Word(STATUS.choices | {"overdue"}), PAGE, required=1)  # type: ignore[operator]
OF_OPEN = define("of:o", Int(1))
OF_CHANGE = define("of:t", Int(1), Word(STATUS.choices))
# Payment confirmation (handlers.review.payment_confirm): the citizen's answer about one payment.
CONFIRM_RECEIVED, CONFIRM_DENIED = define("pc:y", Int(1)), define("pc:n", Int(1))
OF_HISTORY = define("of:h", Int(1))  # an application's audit trail
# Public posting (handlers.posting): a decision named by one of its applications.
define("pst")
POSTING_OPEN = define("pst:o", Int(1))
POSTING_RECORD = define("pst:r", Int(1))
POSTING_RECORD_YES = define("pst:y", Int(1))
# Complaints (handlers.complaints).
for _name in ("pa", "pa:new", "pa:anon", "pa:lk", "pa:my"):
    define(_name)
COMPLAINTS_LIST = define("pa:of", PAGE, required=0)
COMPLAINT_ABOUT = define("pa:app", CODE)  # about one application
COMPLAINT_OPEN = define("pa:o", Int(1))  # an official's or monitor's view
COMPLAINT_VIEW = define("pa:v", Int(1))  # the citizen's own view
COMPLAINT_ACK = define("pa:ack", Int(1))
COMPLAINT_ANSWER = define("pa:ans", Int(1))
COMPLAINT_REPLY = define("pa:rep", Int(1))
# Announcements.
for _name in ("bc", "bc:new", "bc:ed", "bc:l"):
    define(_name)
for _name in ("bc:ok", "bc:c", "bc:cy"):
    define(_name, Int())
# The form engine (handlers.forms).
for _name in ("f:back", "f:skip", "f:done", "f:ok", "f:edit", "f:sum", "f:ur"):
    define(_name)
FORM_CHOICE = define("f:c", Int(0, 999))
FORM_UNIT = define("f:u", Int(1, 999_999))  # a GSO code of a province, district or commune
FORM_UNIT_PAGE = define("f:up", PAGE)
FORM_EDIT = define("f:e", KEY)
FORM_CARD = define("f:card", Word(frozenset({"ok", "here", "no"})))  # what a card's QR code said (card_prefill)
