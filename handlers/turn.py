"""What a handler sees and produces: channel-independent turn context, replies and buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from handlers.config import HandlerConfig
    from storage.crypto import DataProtector
    from storage.models import ChannelUser, Official

# Telegram limits callback_data to 64 bytes; Zalo payloads are larger, so Telegram sets the bound.
MAX_ACTION_BYTES = 64
MAX_TEXT_CHARS = 4096
PAUSED = "_paused"  # conversation-data key of a form put aside for a command (see Turn.pause)
TAKES_TEXT = "_takes_text"  # conversation-data key: the last question takes typed input (Turn.takes_text)
# Conversation-data key: facts the eligibility questionnaire gathered that an application form asks too,
# kept with its result so that "Apply now" does not ask them again (handlers/ask/eligibility.py writes it,
# handlers/apply/chat.py reads it).
CARRIED = "from_questionnaire"


class CoreState(StrEnum):
    """The states every conversation knows; each feature declares its own next to its handlers."""

    START = "start"  # a new chat, before the first menu
    MENU = "menu"  # the main menu: free text is a question


IDLE_STATES = frozenset(CoreState)  # nothing in progress: no form to keep or time out


@dataclass(frozen=True)
class FileRead:
    """What a handler's reader found in an attachment the engine fetched for it (see NeedsFile)."""

    text: str | None  # e.g. a QR code's text; None when the reader found nothing
    problem: str | None = None  # the file could not be fetched: "too_large" | "unavailable"


@dataclass(frozen=True)
class Attachment:
    kind: str  # photo | document
    file_id: str
    file_name: str | None = None
    mime_type: str | None = None
    read: FileRead | None = None  # set by the engine when a handler asked for the file (NeedsFile)


FileReader = Callable[[bytes], Awaitable[str | None]]


class NeedsFile(Exception):
    """Raised by a handler that needs what the turn's attachment holds (e.g. the QR code in a photo).

    The engine rolls the turn back, fetches the file from the channel outside any transaction (at most
    `max_bytes`), passes its bytes to `reader` and runs the turn again with `Attachment.read` set. The
    bytes themselves are not kept anywhere.
    """

    def __init__(self, reader: FileReader, max_bytes: int) -> None:
        super().__init__("the handler needs the attachment's content")
        self.reader = reader
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class Incoming:
    """One platform update, reduced to what the engine needs."""

    channel: str
    chat_id: str
    user_id: str
    event_id: str
    text: str | None = None
    action: str | None = None  # a button payload
    attachment: Attachment | None = None
    display_name: str | None = None
    typed: bool = False  # the action was typed (a button's label or number), not pressed
    unsupported: str | None = None  # a kind of message the bot cannot use (handlers.media.KINDS)


class Menu(StrEnum):
    MAIN = "main"  # the main menu every user sees
    OFFICIALS = "officials"  # the officials' menu (/canbo)


@dataclass(frozen=True)
class MenuEntry:
    """A menu button a feature registers with its router (Router.menu_entry)."""

    label: str  # an N_() msgid
    action: str
    menu: Menu = Menu.MAIN
    officials_only: bool = False  # in the main menu: shown, first, to officials only


@dataclass(frozen=True)
class Button:
    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action over {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        if len(self.text) > MAX_TEXT_CHARS:
            raise ValueError(f"reply over {MAX_TEXT_CHARS} characters")
        return {
            "text": self.text,
            "buttons": [[{"label": b.label, "action": b.action} for b in row] for row in self.buttons],
        }


@dataclass(frozen=True)
class Notice:
    """A message to some other chat (an applicant, an official), sent through the outbox."""

    channel: str
    chat_id: str
    reply: Reply


@dataclass(frozen=True)
class Services:
    """Long-lived helpers a handler may need, built once at start-up."""

    protector: DataProtector


@dataclass
class Turn:
    """The context of one incoming message. Handlers read it, reply, and set the next state.

    Handlers never commit: the engine commits the whole turn (state, data, replies) at once.
    """

    incoming: Incoming
    session: AsyncSession
    user: ChannelUser
    config: HandlerConfig  # the handler-facing settings (no tokens)
    services: Services
    now: datetime
    state: str
    data: dict[str, Any]
    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # Set by a handler that asks for typed input which may be a number (a date, a phone): a bare
    # number is then an answer, not a press of button N.
    takes_text: bool = False
    # The menu entries the features registered (the router's), in registration order.
    menu: tuple[MenuEntry, ...] = ()
    official: Official | None = None  # set by the official gate (handlers/gate.py)

    @property
    def text(self) -> str:
        return self.incoming.text or ""

    @property
    def action(self) -> str | None:
        return self.incoming.action

    @property
    def action_verb(self) -> str | None:
        return self.incoming.action.split(":", 1)[0] if self.incoming.action else None

    @property
    def action_arg(self) -> str:
        if not self.incoming.action or ":" not in self.incoming.action:
            return ""
        return self.incoming.action.split(":", 1)[1]

    def say(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.replies.append(Reply(text, buttons or []))

    def notify(self, channel: str, chat_id: str, text: str, buttons: list[list[Button]] | None = None) -> None:
        self.notices.append(Notice(channel, chat_id, Reply(text, buttons or [])))

    async def put(self, notice: Notice) -> None:
        """A service's notice (handlers.review.service.NoticeQueue): the engine writes it to the outbox."""
        self.notices.append(notice)

    def goto(self, state: str, data: dict[str, Any] | None = None) -> None:
        """Move to a state; data replaces the conversation data when given (a paused form stays)."""
        self.state = state
        if data is not None:
            paused = self.data.get(PAUSED)
            self.data = data
            if paused is not None and PAUSED not in data:
                self.data[PAUSED] = paused

    @property
    def paused(self) -> dict[str, Any] | None:
        """The form left for a command or another button: {'state', 'data'}."""
        return self.data.get(PAUSED)

    def pause(self) -> None:
        """Put the current form aside (answers kept) and continue from the main menu."""
        form = {k: v for k, v in self.data.items() if k != PAUSED}  # one paused form: this one
        self.data = {PAUSED: {"state": self.state, "data": form}}
        self.state = CoreState.MENU

    def resume(self) -> bool:
        """Back to the paused form; False when there is none."""
        paused = self.data.pop(PAUSED, None)
        if paused is None:
            return False
        self.state, self.data = paused["state"], paused["data"]
        return True

    def drop_paused(self) -> None:
        self.data.pop(PAUSED, None)
