"""The conversation engine: one transaction per turn, replies through the outbox.

adapter -> Engine.handle(Incoming) -> router/handlers -> storage -> outbox -> sender -> adapter
"""

from __future__ import annotations

import dataclasses
import logging
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.files import FileSource, FileTooLarge, FileUnavailable
from handlers import media, validators
from handlers.router import Router
from handlers.turn import IDLE_STATES, TAKES_TEXT, FileRead, Incoming, NeedsFile, Services, Turn
from messages.i18n import _
from messages.normalize import nfc, words
from storage import outbox
from storage.conversations import claim_event, open_turn, save_conversation, show_keyboard
from storage.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_INPUT_CHARS = 4096  # longer messages are cut: no answer needs more, and it bounds the work per turn


class _HandlerFailed(Exception):
    """A handler raised: the turn's transaction is rolled back and the turn apologises instead."""


@dataclass
class TurnResult:
    duplicate: bool = False
    error: bool = False
    # This chat's replies, already claimed for sending when nothing older waits for the chat.
    claimed: list[OutboxMessage] = field(default_factory=list)
    backlog: bool = False  # older messages wait for this chat: send everything due, in order
    notice_ids: list[int] = field(default_factory=list)  # messages to other chats

    @property
    def outbox_ids(self) -> list[int]:
        return [row.id for row in self.claimed] + self.notice_ids


def _label_key(text: str) -> str:
    """Letters and digits only, case-folded, diacritics kept: '📝 Đăng ký hỗ trợ' ~ 'đăng ký hỗ trợ'."""
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _button_number(text: str) -> int | None:
    """'3' -> 3, and full-width '３' typed through an IME. Decimal digits only: str.isdigit() also
    accepts '²' and '①', which int() refuses."""
    return int(text) if text.isdecimal() and len(text) <= 3 else None


def _button_for_text(text: str, keyboard: list[Any], takes_text: bool = False) -> str | None:
    """'#2' or a button's label (emoji and punctuation aside) presses that button of the last keyboard;
    so does a bare '2' when the question asked does not take a typed answer (a date, a number)."""
    flat = [button for row in keyboard for button in row]
    if not flat:
        return None
    typed = text.strip()
    if typed.startswith("#") and (number := _button_number(typed[1:])) is not None:
        return flat[number - 1]["action"] if 1 <= number <= len(flat) else None
    key = _label_key(typed)
    if not key:
        return None
    # A label first: '1' on the buttons '0', '1', '2', '3+' (how many children?) means the label 1.
    labelled = next((button["action"] for button in flat if _label_key(button["label"]) == key), None)
    if labelled is not None or takes_text:
        return labelled
    if (said := _yes_no_button(typed, flat)) is not None:
        return said
    if (number := _button_number(typed)) is not None:
        return flat[number - 1]["action"] if 1 <= number <= len(flat) else None
    return _folded_label(typed, flat)


def _folded_label(typed: str, flat: list[Any]) -> str | None:
    """A label typed without its marks ('tim hieu chinh sach') or without its last words ('lao động tự do'
    under 'Lao động tự do (không có hợp đồng lao động)'): the one button it names. A beginning is two words
    at least, so a label's first word alone ('hộ') presses nothing, nor does a question (longer than the label)."""
    said = words(typed, expand_teencode=False)
    if not said:
        return None
    labels = [(words(button["label"], expand_teencode=False), button["action"]) for button in flat]
    for matches in (
        [action for label, action in labels if label == said],
        [action for label, action in labels if len(said) >= 2 and label[: len(said)] == said],
    ):
        if matches:
            return matches[0] if len(matches) == 1 else None
    return None


# The first word of a button that answers yes or no: "Có, rút hồ sơ", and for a "đã … chưa?" question "Đã nhận".
_SAYS = {"yes": ("có", "đã"), "no": ("không", "chưa")}


def _yes_no_button(typed: str, flat: list[Any]) -> str | None:
    """'có', 'ok', 'không ạ' typed under 'Có, rút hồ sơ' / 'Không, giữ lại hồ sơ', and 'rồi', 'nhận rồi ạ', 'chưa
    nhận được' under 'Đã nhận' / 'Chưa nhận': the only button that says so."""
    firsts = [_label_key(button["label"]).split(" ", 1)[0] for button in flat]
    paired = "đã" in firsts and "chưa" in firsts  # "Đã …" alone ("Đã nộp (2)" among lists) answers nothing
    said = validators.yes_no(typed)
    value = said.value if isinstance(said, validators.Valid) else _said_with_the_verb(typed, flat) if paired else None
    if value not in _SAYS:
        return None
    heads = _SAYS[value] if paired else _SAYS[value][:1]
    matching = [button["action"] for button, first in zip(flat, firsts, strict=True) if first in heads]
    return matching[0] if len(matching) == 1 else None


def _said_with_the_verb(typed: str, flat: list[Any]) -> str | None:
    """Under 'Đã nhận' / 'Chưa nhận': 'chưa nhận được' is the no, 'nhận rồi', 'đã nhận được rồi' the yes (the
    buttons' verb said after "chưa", or with "rồi" or "đã")."""
    said = words(typed, expand_teencode=False)
    for button in flat:
        head, _, rest = _label_key(button["label"]).partition(" ")
        verb = words(rest, expand_teencode=False)
        if head not in ("đã", "chưa") or not verb:
            continue
        at = next((i for i in range(len(said)) if said[i : i + len(verb)] == verb), None)
        if at is None:
            continue
        if "chua" in said[:at]:
            return "no"
        if "roi" in said[at:] or "da" in said[:at]:
            return "yes"
    return None


def _normalised(incoming: Incoming, keyboard: list[Any], takes_text: bool) -> Incoming:
    """NFC text without control characters, bounded in length; a typed label becomes a button press."""
    if incoming.text is None or incoming.action:
        return incoming
    text = nfc(incoming.text, keep_lines=True)[:MAX_INPUT_CHARS]
    pressed = _button_for_text(text, keyboard, takes_text)
    if pressed:
        return dataclasses.replace(incoming, action=pressed, text=None, typed=True)
    return dataclasses.replace(incoming, text=text)


class Engine:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], router: Router, settings: Settings, services: Services
    ) -> None:
        self.sessions = sessions
        self.router = router
        self.settings = settings
        self.menu = tuple(router.menu)  # the menu entries the features registered
        self.services = services
        self.files: dict[str, FileSource] = {}  # by channel: where an attachment's bytes come from

    async def handle(self, incoming: Incoming, sent_unmarked: Collection[int] = ()) -> TurnResult:
        """Process one update in one transaction; the caller then sends what the result lists.

        A handler that fails rolls the whole turn back (nothing half-written stays); the turn is then
        done again in a new transaction that only apologises and keeps the state.
        """
        now = datetime.now(UTC)
        try:
            try:
                return await self._turn(incoming, now, sent_unmarked, failed=False)
            except NeedsFile as need:  # rolled back: fetched and read here, outside any transaction
                incoming = await self._read_attachment(incoming, need)
                return await self._turn(incoming, now, sent_unmarked, failed=False)
        except _HandlerFailed:
            return await self._turn(incoming, now, sent_unmarked, failed=True)

    async def _read_attachment(self, incoming: Incoming, need: NeedsFile) -> Incoming:
        """The turn's attachment with what the handler's reader found in it (or why it could not)."""
        attachment = incoming.attachment
        assert attachment is not None
        source = self.files.get(incoming.channel)
        read = FileRead(None, "unavailable")
        if source is not None:
            try:
                data = await source.fetch(attachment.file_id, need.max_bytes)
            except FileTooLarge:
                read = FileRead(None, "too_large")
            except FileUnavailable as exc:
                log.warning("a %s attachment could not be fetched: %s", incoming.channel, exc)
            except Exception:  # the platform failed in a way the source did not foresee: the same to the user
                log.exception("fetching a %s attachment failed", incoming.channel)
            else:
                try:
                    read = FileRead(await need.reader(data))
                except Exception:  # a reader that fails reads nothing; the turn goes on
                    log.exception("a %s attachment could not be read", incoming.channel)
                    read = FileRead(None)
        return dataclasses.replace(incoming, attachment=dataclasses.replace(attachment, read=read))

    async def _turn(
        self, incoming: Incoming, now: datetime, sent_unmarked: Collection[int], *, failed: bool
    ) -> TurnResult:
        async with self.sessions() as session:
            async with session.begin():
                if not await claim_event(session, incoming.channel, incoming.event_id, now):
                    return TurnResult(duplicate=True)
                start = await open_turn(
                    session,
                    incoming.channel,
                    incoming.user_id,
                    incoming.chat_id,
                    incoming.display_name,
                    now,
                    sent_unmarked,
                    protector=self.services.protector,
                )
                conv = start.conversation
                incoming = _normalised(incoming, conv.keyboard, bool(conv.data.get(TAKES_TEXT)))
                turn = Turn(
                    incoming=incoming,
                    session=session,
                    user=start.user,
                    config=self.settings.handler_config(),
                    menu=self.menu,  # what handlers see (no tokens); a few µs
                    services=self.services,
                    now=now,
                    state=conv.state,
                    data=conv.data,
                )
                if failed:
                    turn.say(
                        _(
                            "Sorry, something went wrong on our side. Your information so far is kept. "
                            "Please try again, or type /start to go back to the main menu."
                        )
                    )
                else:
                    try:
                        await self._route(turn, idle_since=conv.updated_at)
                    except NeedsFile as exc:
                        if incoming.attachment is None or incoming.attachment.read is not None:
                            log.error("a handler asked again for a file it was given, in state %s", conv.state)
                            raise _HandlerFailed from exc
                        raise  # leaves the transaction: rolled back, fetched, then the turn again
                    except Exception as exc:
                        log.exception("handler failed in state %s", conv.state)
                        raise _HandlerFailed from exc  # leaves the transaction: everything rolls back
                conv.state = turn.state
                turn.data.pop(TAKES_TEXT, None)  # what the previous question took; this turn's is below
                conv.data = {**turn.data, TAKES_TEXT: True} if turn.takes_text else turn.data
                conv.version += 1
                conv.updated_at = now
                # The most recent keyboard shown is the one '#N' refers to: a notice to this chat
                # comes after the replies; one to another chat becomes that chat's keyboard.
                shown = [reply.to_payload()["buttons"] for reply in turn.replies if reply.buttons]
                conv.keyboard = shown[-1] if shown else []
                for notice in turn.notices:
                    if not notice.reply.buttons:
                        continue
                    buttons = notice.reply.to_payload()["buttons"]
                    if (notice.channel, notice.chat_id) == (incoming.channel, incoming.chat_id):
                        conv.keyboard = buttons
                    else:
                        await show_keyboard(session, notice.channel, notice.chat_id, buttons)
                await save_conversation(session, conv, self.services.protector)
                # With nothing older waiting, the replies are written already claimed: sent right after
                # commit with no claim transaction. Otherwise they queue behind the older ones.
                claimed = not start.backlog
                rows = await outbox.enqueue_many(
                    session,
                    [(incoming.channel, incoming.chat_id, reply.to_payload(), claimed) for reply in turn.replies]
                    + [(n.channel, n.chat_id, n.reply.to_payload(), False) for n in turn.notices],
                    now,
                    self.services.protector,
                )
            replies = rows[: len(turn.replies)]
            return TurnResult(
                error=failed,
                claimed=replies if claimed else [],
                backlog=start.backlog,
                notice_ids=[row.id for row in rows[len(turn.replies) :]],
            )

    async def _route(self, turn: Turn, idle_since: datetime) -> None:
        timeout = timedelta(minutes=self.settings.conversation_timeout_minutes)
        expired = turn.state not in IDLE_STATES and turn.now - idle_since > timeout
        if expired and self.router.command_for(turn.text) is None:
            spec = self.router.spec_for(turn.state)
            if spec is not None and spec.resumable and spec.ask is not None:
                # A half-filled application is never dropped: welcome back and re-ask the step.
                turn.say(_("Welcome back! You have an unfinished application; let's continue where you left off."))
                await spec.ask(turn)
                return
            turn.say(_("Our previous conversation timed out, so we have started again from the main menu."))
            turn.goto("menu", {})
        if await media.not_accepted(turn, self.router):  # a sticker, or a photo where none is asked for
            return
        await self.router.dispatch(turn)
