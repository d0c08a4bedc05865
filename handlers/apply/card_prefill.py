"""Filling an application form from a photo of the citizen ID card's QR code.

Wherever the form asks for the name, birth date, sex, ID number or permanent address, the citizen may
send a photo of the card instead (the first of these questions says so). The engine fetches the photo
and reads its QR code outside the turn's transaction (handlers.turn.NeedsFile, handlers.apply.card_photo);
here the text is parsed and checked (handlers.apply.cccd_qr), each value goes through the form's own parser
(the rules a typed answer meets), the permanent address is matched to the administrative units, and
the citizen confirms. On "Đúng" every field read is filled and the form goes on at the first field
still empty; on "Không" nothing is filled and typing goes on.

The photo itself is not kept: it is not an answer (only the documents step stores files), and what
was read waits for confirmation in the conversation data, which is stored encrypted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from handlers import actions, admin_units
from handlers.apply import card_photo, cccd_qr
from handlers.apply.cccd_qr import CardData
from handlers.forms import Answers, Field, Form, ask, display_value, preset_unit
from handlers.turn import Button, NeedsFile, Turn
from handlers.validators import Invalid
from messages import fmt
from messages.i18n import _
from messages.normalize import fold
from messages.vocabulary import AreaLevel

STEP = "card"  # the form's step while the citizen confirms what the card said
HINT_SHOWN = "card_hint"  # conversation-data key: the step whose question offers the photo
PENDING = "card_read"  # conversation-data key: the values read, until confirmed
OK, HERE, NO = actions.FORM_CARD.pack("ok"), actions.FORM_CARD.pack("here"), actions.FORM_CARD.pack("no")
PERSON_KEYS = ("full_name", "birth_date", "sex", "id_number")

# Type words before a unit's name on a card ("Tỉnh", "TP.", "Huyện"...), folded, longest first.
_TYPE_WORDS = ("thanh pho", "thi tran", "thi xa", "tinh", "quan", "huyen", "phuong", "xa", "tp", "tt", "tx")


@dataclass(frozen=True)
class CardPrefill:
    """The form's fields a card fills: the person's, and the permanent address as a unit and a street
    (`home`); `business` is a place and street that may be the same address (a household business at
    home), offered with its own "yes" button."""

    home: tuple[str, str] | None = None
    business: tuple[str, str] | None = None

    def _keys(self, form: Form) -> set[str]:
        keys = set(PERSON_KEYS) | set(self.home or ())
        return {f.key for f in form.fields if f.key in keys}

    # ---- FormExtension ----------------------------------------------------------------------
    def note(self, turn: Turn, form: Form, current: Field) -> str | None:
        if current.key not in self._keys(form):
            return None
        # One question offers the photo: the first asked of these, and the same one when asked again.
        if turn.data.setdefault(HINT_SHOWN, current.key) != current.key:
            return None
        return _("📷 Send a photo of your CCCD to fill this in quickly")

    def takes_attachment(self, form: Form, step: str) -> bool:
        return step == STEP or step in self._keys(form)

    async def ask(self, turn: Turn, form: Form) -> bool:
        if turn.data.get("step") != STEP:
            return False
        if PENDING not in turn.data:  # nothing to confirm any more: the form's own question
            turn.data.pop("step", None)
            return False
        self._confirm(turn, form)
        return True

    async def handle(self, turn: Turn, form: Form) -> bool:
        step = turn.data.get("step")
        attachment = turn.incoming.attachment
        if attachment is not None and self.takes_attachment(form, str(step)):
            current = form.next_field(turn.data.setdefault("answers", {}))
            if step == STEP or (current is not None and current.key == step):
                await self._photo(turn, form)
                return True
        if step != STEP:
            return False
        if turn.action in (OK, HERE) and PENDING in turn.data:
            self._fill(turn, form, here=turn.action == HERE)
        elif turn.action == NO:
            turn.data.pop(PENDING, None)
            turn.say(_("All right, nothing was filled in. Please type your answers."))
        elif turn.action:
            turn.say(_("That button is no longer active."))
        else:
            turn.say(_("Please press one of the buttons below."))
        if PENDING not in turn.data:
            turn.data.pop("step", None)  # the form's next question
        await ask(turn, form)
        return True

    # ---- reading ------------------------------------------------------------------------------
    async def _photo(self, turn: Turn, form: Form) -> None:
        attachment = turn.incoming.attachment
        assert attachment is not None
        if attachment.read is None:
            raise NeedsFile(card_photo.read_qr, card_photo.MAX_PHOTO_BYTES)

        read = attachment.read
        problem: str | None = None
        if read.problem == "too_large":
            problem = _("The photo is too large to read (over 10 MB). Please send a smaller one, or type your answer.")
        elif read.problem is not None:
            problem = _("I could not download the photo. Please send it again, or type your answer.")
        elif read.text is None:
            problem = _(
                "I could not find a readable QR code in this photo. Take the photo again close to the QR code "
                "of your CCCD, in good light and without glare, or type your answer."
            )
        else:
            parsed = cccd_qr.parse(read.text, fmt.today_local(turn.now))
            if isinstance(parsed, Invalid):
                problem = parsed.message
            else:
                checked = await self._values(turn, form, parsed.value)
                if isinstance(checked, Invalid):
                    problem = checked.message
                else:
                    turn.data[PENDING] = checked
                    self._confirm(turn, form)
                    return
        turn.data.pop(PENDING, None)
        if turn.data.get("step") == STEP:
            turn.data.pop("step", None)
        turn.say(problem)
        await ask(turn, form)

    async def _values(self, turn: Turn, form: Form, card: CardData) -> dict[str, Any] | Invalid:
        """Each value read as the form's own parser accepts it typed, in the form's order (the ID number
        is then checked against the birth date and sex, and by the field's own check, e.g. one application per
        person); the address matched to a commune when it can be."""
        typed = {
            "full_name": card.full_name,
            "birth_date": card.birth_date.strftime("%d/%m/%Y"),
            "sex": "Nam" if card.sex == "male" else "Nữ",
            "id_number": card.id_number,
        }
        values: Answers = {"sex": card.sex}  # kept even when the form does not ask (the application has it)
        for form_field in form.fields:
            if form_field.key not in typed or form_field.parse is None:
                continue
            result = form_field.parse(typed[form_field.key], values, turn)
            if isinstance(result, Invalid):
                return Invalid(
                    _("The QR code was read, but: {reason}").format(reason=result.message), f"qr_{result.code}"
                )
            if form_field.check is not None and (refused := await form_field.check(result.value, values, turn)):
                return Invalid(refused, "refused")
            values[form_field.key] = result.value
        picked: dict[str, int] = {}
        street = ""
        if card.address:
            picked, street = locate(card.address)
        place = picked if AreaLevel.COMMUNE in picked else None
        return {"values": values, "address": card.address, "place": place, "street": street, "partial": picked}

    def _confirm(self, turn: Turn, form: Form) -> None:
        turn.data["step"] = STEP
        pending: dict[str, Any] = turn.data[PENDING]
        values: Answers = pending["values"]
        by_key = {f.key: f for f in form.fields}
        lines = [_("Your CCCD's QR code says:")]
        for key in PERSON_KEYS:
            if key in by_key and key in values:
                lines.append(f"• {_(by_key[key].label)}: {display_value(by_key[key], values)}")
            elif key == "sex":
                lines.append(f"• {_('Sex')}: {_('Male') if values['sex'] == 'male' else _('Female')}")
        if pending["address"]:
            lines.append(f"• {_('Permanent address')}: {pending['address']}")
            if pending["place"] is None and self.home:
                lines.append(_("(I could not match this address to a commune: you will choose it.)"))
        lines.append("")
        rows = [[Button(_("Correct"), OK)]]
        if self.business is not None and pending["place"] is not None:
            lines.append(_("Is this correct? Is your business at this address too?"))
            rows = [
                [Button(_("Correct, my business is at this address"), HERE)],
                [Button(_("Correct, my business is elsewhere"), OK)],
            ]
        else:
            lines.append(_("Is this correct? With “Correct” these answers are filled in; you can still edit them."))
        rows.append([Button(_("No, I will type them"), NO)])
        turn.say("\n".join(lines), rows)

    def _fill(self, turn: Turn, form: Form, here: bool) -> None:
        pending: dict[str, Any] = turn.data.pop(PENDING)
        answers: Answers = turn.data.setdefault("answers", {})
        filled: dict[str, Any] = dict(pending["values"])
        targets = [self.home] if self.home else []
        if here and self.business:
            targets.append(self.business)
        by_key = {f.key: f for f in form.fields}
        for target in targets:
            place_key, street_key = target
            if pending["place"] is None or place_key not in by_key:
                continue
            filled[place_key] = dict(pending["place"])
            street_field = by_key.get(street_key)
            if street_field is not None and street_field.parse is not None and pending["street"]:
                street = street_field.parse(pending["street"], answers, turn)
                if not isinstance(street, Invalid):
                    filled[street_key] = street.value
        for key, value in filled.items():
            answers[key] = value
            answers.pop(f"{key}_pending", None)
            for dependent in form.fields:  # an answer that depended on the old value is asked again
                if key in dependent.depends_on and dependent.key not in filled:
                    answers.pop(dependent.key, None)
        # "Back" forgets the latest answer: make that the one just before the next question, as if typed.
        history: list[str] = turn.data.setdefault("history", [])
        keys = [f.key for f in form.fields if f.key in filled and f.key not in history]
        upcoming = form.next_field(answers)
        position = {f.key: i for i, f in enumerate(form.fields)}
        after = position[upcoming.key] if upcoming is not None else len(form.fields)
        history.extend([k for k in keys if position[k] > after] + [k for k in keys if position[k] < after])
        for key in filled:  # a commune picker left half-way for a place now filled
            turn.data.get("unit", {}).pop(key, None)
        if self.home and pending["place"] is None:  # the province or district known: pick below them
            preset_unit(turn, self.home[0], pending.get("partial") or {})
        turn.say(_("Thank you, the information from your card has been filled in."))


# ---- the permanent address -> administrative units -----------------------------------------------
def _bare(text: str) -> str:
    """Folded words without a leading type word: "TP. Hồ Chí Minh" -> "ho chi minh"."""
    words = " ".join(re.findall(r"\w+", fold(text)))
    for type_word in _TYPE_WORDS:
        if words.startswith(type_word + " "):
            return words[len(type_word) + 1 :]
    return words


def locate(address: str) -> tuple[dict[str, int], str]:
    """The units an address names from its end ("…, Xã Nhật Tiến, Huyện Hữu Lũng, Lạng Sơn"), as far as
    they match one unit each, and what is left before them (the hamlet, street and house number)."""
    parts = [part.strip() for part in address.split(",") if part.strip()]
    picked: dict[str, int] = {}
    parent: int | None = None
    rest = len(parts)
    for level in admin_units.LEVELS:
        if rest == 0:
            break
        part = parts[rest - 1]
        found = admin_units.search(level, part, parent_code=parent, limit=3)
        exact = [u for u in found if _bare(u.name) == _bare(part)]
        unit = exact[0] if len(exact) == 1 else found[0] if len(found) == 1 else None
        if unit is None:
            break
        picked[level] = unit.code
        parent = unit.code
        rest -= 1
    return picked, ", ".join(parts[:rest])
