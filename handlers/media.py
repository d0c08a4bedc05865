"""What the bot cannot use where it arrives: stickers, voice, a location… anywhere, and a photo or a file
outside a step that takes one. Each gets a short answer saying what the bot accepts, then the current
step is asked again, so its buttons stay the ones '#N' refers to. A photo sent from the menu while one
application waits for information from the citizen is that answer (handlers.lookup.chat.answer_unasked)."""

from __future__ import annotations

from handlers.lookup import chat as lookup
from handlers.menu import show_menu
from handlers.router import Router
from handlers.turn import IDLE_STATES, Turn
from messages.i18n import N_, _

# Incoming.unsupported kinds the adapters report, as the citizen would name them.
KINDS = {
    "sticker": N_("stickers"),
    "voice": N_("voice messages"),
    "audio": N_("audio files"),
    "video": N_("videos"),
    "video_note": N_("videos"),
    "animation": N_("GIFs"),
    "venue": N_("locations"),
    "location": N_("locations"),
    "contact": N_("contact cards"),
    "dice": N_("dice"),
    "link": N_("links"),
}
EDITED = "edited"  # Incoming.unsupported of a message the user changed after sending it (Telegram)
IDLE = IDLE_STATES
_SPOKEN = frozenset({"voice", "audio", "video_note"})


def takes_attachment(turn: Turn, router: Router) -> bool:
    """Whether the current state's step keeps files (its feature says so: a form's photo step, the
    answer to an official's request for information)."""
    spec = router.spec_for(turn.state)
    return spec is not None and spec.takes_files is not None and spec.takes_files(turn)


async def not_accepted(turn: Turn, router: Router) -> bool:
    """Answer what this step cannot use; False when the turn should go on as usual."""
    incoming = turn.incoming
    if incoming.unsupported == EDITED:
        note = _(
            "You changed a message you had sent. I only read new messages: to change an answer, press “« Back” "
            "(or “Edit information” on the summary), or send the new answer now if it is the question asked."
        )
    elif incoming.unsupported:
        what = _(KINDS.get(incoming.unsupported, N_("this kind of message")))
        note = _(
            "Sorry, I cannot read {what}. Please type your message or press a button. "
            "Photos and files are welcome when I ask for documents."
        ).format(what=what)
        if incoming.unsupported in _SPOKEN:
            # Who speaks to the bot may not be able to type: who can register for them, and where to call.
            note += " " + _(
                "If typing is hard for you, a relative, the village head or a commune official can register for you."
            )
            if turn.config.hotline:
                note += " " + _("You can also call {hotline}.").format(hotline=turn.config.hotline)
    elif incoming.attachment is not None and not takes_attachment(turn, router):
        if turn.state in IDLE and await lookup.answer_unasked(turn):  # the photo an official asked for
            return True
        note = _(
            "Thank you, but I can only keep photos and files while you send the documents of an application "
            "(“Apply for support” in the menu) or answer a question from an official. Nothing was saved."
        )
    else:
        return False
    spec = router.spec_for(turn.state)
    if turn.state in IDLE or spec is None:
        await show_menu(turn, note)
    elif spec.ask is None:
        turn.say(note)
    else:
        turn.say(note)
        await spec.ask(turn)
    return True
