"""Cleaning of every string a platform hands us, at the adapter boundary.

PostgreSQL rejects U+0000 in text, and no database driver can encode a lone surrogate (JSON's
"\\ud800" decodes to one), so one such character in a sender's first name used to fail the whole
turn on every redelivery. Non-characters (U+FFFE, U+FDD0…) are not text either. Everything else,
control characters included, is left to the engine's normalisation (messages.normalize).
"""

from __future__ import annotations

import dataclasses
import re
from typing import overload

from handlers.turn import Attachment, Incoming

# U+0000, and the non-characters: U+FDD0–U+FDEF and the last two code points of every plane.
_INVALID = re.compile(
    "[\x00\ufdd0-\ufdef" + "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17)) + "]"
)


@overload
def clean(text: str) -> str: ...
@overload
def clean(text: None) -> None: ...
def clean(text: str | None) -> str | None:
    """`text` without U+0000, lone surrogates and non-characters; a split surrogate pair is joined."""
    if text is None:
        return None
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        # UTF-16 round trip: a high+low pair becomes its character, a lone half is dropped.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")
    return _INVALID.sub("", text)


def clean_incoming(incoming: Incoming) -> Incoming:
    """Every string field of `incoming` cleaned (ids, text, action, name, attachment)."""
    attachment = incoming.attachment
    if attachment is not None:
        attachment = Attachment(
            clean(attachment.kind), clean(attachment.file_id), clean(attachment.file_name), clean(attachment.mime_type)
        )
    return dataclasses.replace(
        incoming,
        chat_id=clean(incoming.chat_id),
        user_id=clean(incoming.user_id),
        event_id=clean(incoming.event_id),
        text=clean(incoming.text),
        action=clean(incoming.action),
        display_name=clean(incoming.display_name),
        attachment=attachment,
    )
