"""A small form engine for chat intake: one question per turn, validated, with back, skip,
edit-from-summary and resume.

A form is a list of `Field`s. Answers live in the conversation data (JSON), so a form
survives restarts and can be resumed days later. The next question is always the first
applicable field without an answer, which makes back, edit and conditional fields
(e.g. bank details only when paid by bank) one mechanism.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from handlers import actions, admin_units, validators
from handlers.turn import Button, Turn
from handlers.validators import Invalid, Result, Valid
from messages.i18n import N_, _
from messages.normalize import fold, nfc
from messages.vocabulary import AreaLevel

Answers = dict[str, Any]
Parser = Callable[[str, Answers, Turn], Result[Any]]
# Run on a valid answer before it is kept, with the database at hand (e.g. a duplicate ID number):
# a message refuses the answer and the question is asked again, None accepts it.
Check = Callable[[Any, Answers, Turn], Awaitable[str | None]]
YES_NO_VALUES = frozenset({"yes", "no", "unsure"})


@dataclass(frozen=True)
class Also:
    """A parsed answer that fills other fields too: an occupation not in the list is "other",
    with what was typed as its description."""

    value: Any
    extra: dict[str, Any]


@dataclass(frozen=True)
class Choice:
    label: str  # msgid, translated when shown
    value: str
    also: tuple[str, ...] = ()  # what people type for it besides the label ("ck" for a bank transfer), Vietnamese


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # msgid: how the field is named in the summary
    prompt: str  # msgid: the question
    parse: Parser | None = None  # for typed answers
    choices: tuple[Choice, ...] | Callable[[Turn], tuple[Choice, ...]] = ()
    optional: bool = False  # offers "Skip"
    when: Callable[[Answers], bool] | None = None  # asked only when this holds
    kind: str = "text"  # text | unit | photo
    depends_on: tuple[str, ...] = ()  # re-asked when one of these is edited
    show: Callable[[Any, Answers], str] | None = None  # how the value reads in the summary
    prompt_args: Callable[[Answers, Turn], dict[str, str]] | None = None
    check: Check | None = None
    # A unit step: the later text field a sentence typed here belongs to (a complaint typed where its commune
    # is asked is kept as its content, not refused as a place not found).
    overflow: str | None = None
    # A unit step: the later field the house number and street typed before the place belong to ("số 5 ngõ 10
    # phố Phúc Xá, phường Phúc Xá, quận Ba Đình, Hà Nội": the address, kept).
    street: str | None = None
    # An answer that reads as this field's and nothing else's (an ID number, a phone number): typed at an
    # earlier step that cannot read it, it is kept for this one instead of refused (_kept_for_later).
    recognisable: bool = False

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)

    def choices_for(self, turn: Turn) -> tuple[Choice, ...]:
        return self.choices(turn) if callable(self.choices) else self.choices


class FormExtension(Protocol):
    """Another way to answer some steps (handlers.apply.card_prefill: a photo of the ID card)."""

    def note(self, turn: Turn, form: Form, current: Field) -> str | None:
        """A line added to the question of `current`, or None."""

    def takes_attachment(self, form: Form, step: str) -> bool:
        """The step `step` accepts a photo or a file."""

    async def ask(self, turn: Turn, form: Form) -> bool:
        """Asks its own step again (True), or leaves asking to the form (False)."""

    async def handle(self, turn: Turn, form: Form) -> bool:
        """Handles the turn (True), or leaves it to the form (False)."""


@dataclass
class Form:
    fields: list[Field]
    on_submit: Callable[[Turn, Answers], Awaitable[None]]
    summary_intro: str = field(default=N_("Please check your information:"))
    review: bool = True  # False: call on_submit as soon as the last question is answered
    # The summary's wording: a citizen submits an application, an official records a change.
    confirm_label: str = N_("Confirm and submit")
    confirm_hint: str = N_("If everything is correct, press “Confirm and submit”.")
    edit_label: str = N_("Edit information")
    summary_header: Callable[[Turn], list[str]] | None = None  # lines after the intro (what is confirmed)
    extension: FormExtension | None = None

    def next_field(self, answers: Answers) -> Field | None:
        for candidate in self.fields:
            if candidate.applies(answers) and candidate.key not in answers:
                return candidate
        return None


# ---- actions (all short: Telegram allows 64 bytes) ------------------------------------
BACK, SKIP, DONE, CONFIRM, EDIT = "f:back", "f:skip", "f:done", "f:ok", "f:edit"


def _nav_row(current: Field, history: list[str]) -> list[Button]:
    row = []
    if history:
        row.append(Button(_("« Back"), BACK))
    if current.optional:
        row.append(Button(_("Skip"), SKIP))
    row.append(Button(_("Cancel"), "cancel"))
    return row


async def ask(turn: Turn, form: Form) -> None:
    """Ask the current question again (or show the summary when everything is answered)."""
    answers: Answers = turn.data.setdefault("answers", {})
    if form.extension is not None and await form.extension.ask(turn, form):
        return
    current = form.next_field(answers)
    if current is None:
        if form.review:
            show_summary(turn, form)
        else:
            await form.on_submit(turn, answers)
        return
    turn.data["step"] = current.key
    history: list[str] = turn.data.setdefault("history", [])
    args = current.prompt_args(answers, turn) if current.prompt_args else {}
    text = _(current.prompt).format(**args)
    if form.extension is not None and (note := form.extension.note(turn, form, current)):
        text = f"{text}\n{note}"
    # A typed answer that may be a bare number (a date, an ID): '3' is then not a press of button 3.
    turn.takes_text = current.kind == "text" and current.parse is not None and not current.choices_for(turn)
    if current.kind == "unit":
        text, rows = _unit_prompt(turn, current, text)
    else:
        rows = [[Button(_(c.label), actions.FORM_CHOICE.pack(i))] for i, c in enumerate(current.choices_for(turn))]
    if current.kind == "photo" and answers.get(f"{current.key}_pending"):
        rows.insert(0, [Button(_("Done"), DONE)])
    rows.append(_nav_row(current, history))
    turn.say(text, rows)


async def handle(turn: Turn, form: Form) -> None:
    """Process the citizen's input for the current step."""
    answers: Answers = turn.data.setdefault("answers", {})
    history: list[str] = turn.data.setdefault("history", [])
    step = turn.data.get("step")
    if form.extension is not None and await form.extension.handle(turn, form):
        return
    if step == "summary":
        await _handle_summary(turn, form)
        return
    current = form.next_field(answers)
    if current is None:
        show_summary(turn, form)
        return
    if step != current.key:  # data changed under us (e.g. an edit); re-ask
        await ask(turn, form)
        return

    if turn.action == BACK:
        _go_back(answers, history)
        await ask(turn, form)
        return
    # "không có" typed on a step that may be skipped is "Skip" pressed. Photos already sent are kept: there,
    # "Skip" (or "không có nữa") means nothing more to send.
    typed_none = not turn.action and validators.gives_nothing(turn.text)
    if current.optional and (turn.action == SKIP or typed_none):
        sent = answers.pop(f"{current.key}_pending", None) if current.kind == "photo" else None
        answers[current.key] = list(sent) if sent else None
        _advance(turn, current)
        await ask(turn, form)
        return

    if current.kind == "unit":
        done = _handle_unit(turn, form, current)
        if done:
            _advance(turn, current)
        await ask(turn, form)
        return
    if current.kind == "photo":
        await _handle_photo(turn, form, current)
        return

    result: Result[Any]
    if turn.action and turn.action.startswith("f:c:"):
        index = int(turn.action[4:]) if turn.action[4:].isdigit() else -1
        choices = current.choices_for(turn)
        if not 0 <= index < len(choices):
            result = Invalid(_("That button is no longer active."), "stale")
        else:
            result = Valid(choices[index].value)
    elif turn.action:
        result = Invalid(_("That button is no longer active."), "stale")
    elif current.parse is not None:
        result = current.parse(turn.text, answers, turn)
        if isinstance(result, Invalid) and await _several_answers(turn, form, current):
            await ask(turn, form)
            return
    elif turn.text.strip():
        result = typed_choice(turn.text, current.choices_for(turn))
    else:
        result = validators.choose_a_button()

    if isinstance(result, Valid) and current.check is not None:
        refused = await current.check(result.value, answers, turn)
        if refused is not None:
            result = Invalid(refused, "refused")
    if isinstance(result, Invalid):
        if turn.action or result.code == "refused" or not await _kept_for_later(turn, form, current):
            turn.say(result.message)
        await ask(turn, form)
        return
    value = result.value
    if isinstance(value, Also):
        answers[current.key] = value.value
        _advance(turn, current)
        for key, extra in value.extra.items():
            answers[key] = extra
            turn.data["history"].append(key)
    else:
        answers[current.key] = value
        _advance(turn, current)
    _recheck_dependents(turn, form, current)
    await ask(turn, form)


# One message holding several answers: "Nguyễn Văn An, sinh ngày 05/07/1985, CCCD 001085012345, sđt 0912…".
_SEGMENTS = re.compile(r"[,;\n]+")


async def _several_answers(turn: Turn, form: Form, current: Field) -> bool:
    """The current step's answer and the next steps', typed at once: each part is checked as if typed at its
    own step, in the form's order, and all are taken only when every part reads as one of them (so nothing
    typed is lost or misread). A step with buttons not answered in the message is passed over and asked
    later; what depends on it is checked again then (_recheck_dependents). A step whose check refuses its part
    (an ID already applied for) ends the reading: the steps before it are taken and the refusal is said."""
    parts = [p.strip() for p in _SEGMENTS.split(turn.text) if p.strip()]
    if len(parts) < 2:
        return False
    answers: Answers = turn.data.setdefault("answers", {})
    trial, taken, unused = dict(answers), [], list(parts)
    refused: str | None = None  # a step's check refusing its part ("an application with this ID exists")
    for candidate in form.fields[form.fields.index(current) :]:
        if candidate.key in trial or not candidate.applies(trial):
            continue
        if candidate.kind != "text" or candidate.parse is None or not unused:
            break
        found = _first_reading(candidate, unused, trial, turn)
        if found is None:
            if candidate.choices_for(turn):
                continue  # asked by its buttons afterwards
            break
        part, value = found
        if candidate.check is not None and (refused := await candidate.check(value, trial, turn)) is not None:
            break
        trial[candidate.key] = value
        taken.append(candidate)
        unused.remove(part)
    if current not in taken or (refused is None and (unused or len(taken) < 2)):
        return False
    for answered in taken:
        answers[answered.key] = trial[answered.key]
        _advance(turn, answered)
    turn.say(_("Noted: {fields}.").format(fields=", ".join(_(f.label) for f in taken)))
    if refused is not None:
        turn.say(refused)  # what stops the form there is said, as at its own step
    return True


def _first_reading(candidate: Field, parts: list[str], answers: Answers, turn: Turn) -> tuple[str, Any] | None:
    """The first part that reads as `candidate`'s answer (a value, not one that fills other steps too)."""
    assert candidate.parse is not None
    for part in parts:
        result = candidate.parse(part, answers, turn)
        if isinstance(result, Valid) and not isinstance(result.value, Also):
            return part, result.value
    return None


def _recheck_dependents(turn: Turn, form: Form, answered: Field) -> None:
    """An answer given ahead of a step it depends on (_several_answers) is checked again once that step is
    answered; one that no longer reads is dropped, with why, and asked again."""
    answers: Answers = turn.data.get("answers", {})
    for dependent in form.fields:
        if answered.key not in dependent.depends_on or dependent.key not in answers or dependent.parse is None:
            continue
        again = dependent.parse(str(answers[dependent.key]), answers, turn)
        if isinstance(again, Invalid):
            answers.pop(dependent.key)
            turn.say(again.message)


def typed_choice(text: str, choices: tuple[Choice, ...]) -> Result[Any]:
    """A choice typed instead of pressed: "có", "ừ", "ko" on a yes/no question; part of a label elsewhere."""
    yes_no = bool(choices) and {c.value for c in choices} <= YES_NO_VALUES
    if yes_no:
        unsure = "unsure" in {c.value for c in choices}
        # "không, em ở trọ ở Hà Nội": the answer, then why.
        for said in (text, re.split(r"[,.;!]", text, maxsplit=1)[0]):
            answer = validators.yes_no(said, unsure=unsure)
            if isinstance(answer, Valid) and any(c.value == answer.value for c in choices):
                return answer
    options = [(_(c.label), c.value) for c in choices] + [(word, c.value) for c in choices for word in c.also]
    # No typos read into a yes or a no: "ck" (chat for "chồng") is one letter from "không".
    return validators.choice(text, options, typos=not yes_no)


def forget(turn: Turn, key: str) -> None:
    """Drop the answer to `key` so that the form asks it again (the last step taken back, if it was that one).

    The form engine owns "answers", "history" and "step" in the conversation data; other code changes
    them only through this module."""
    turn.data.get("answers", {}).pop(key, None)
    history = turn.data.get("history", [])
    if history and history[-1] == key:
        history.pop()


def start_data(**extra: Any) -> dict[str, Any]:
    """The conversation data of a form about to be filled in: empty answers and history, plus the
    caller's own keys (the form engine's keys are its own)."""
    return {**extra, "answers": {}, "history": []}


def _advance(turn: Turn, answered: Field) -> None:
    turn.data.setdefault("history", []).append(answered.key)


def _go_back(answers: Answers, history: list[str]) -> None:
    """Forget the most recent answer still held, so it is asked again."""
    while history:
        key = history.pop()
        if key in answers:
            answers.pop(key, None)
            answers.pop(f"{key}_pending", None)
            return


# ---- summary, edit, confirm ---------------------------------------------------------
def display_value(form_field: Field, answers: Answers) -> str:
    value = answers.get(form_field.key)
    if value is None:
        return _("(not given)")
    if form_field.show is not None:
        return form_field.show(value, answers)
    if not callable(form_field.choices):
        for choice in form_field.choices:
            if choice.value == value:
                return _(choice.label)
    return str(value)


def show_summary(turn: Turn, form: Form) -> None:
    turn.data["step"] = "summary"
    answers: Answers = turn.data.get("answers", {})
    lines = [_(form.summary_intro)]
    if form.summary_header is not None:
        lines += form.summary_header(turn)
    shown = [f for f in form.fields if f.applies(answers) and f.key in answers]
    if shown:
        lines.append("")
    for form_field in shown:
        lines.append(f"• {_(form_field.label)}: {display_value(form_field, answers)}")
    lines.append("")
    lines.append(_(form.confirm_hint))
    rows = [[Button(_(form.confirm_label), CONFIRM)]]
    if shown:  # nothing to edit: no button leading to an empty list
        rows.append([Button(_(form.edit_label), EDIT)])
    rows.append([Button(_("Cancel"), "cancel")])
    turn.say("\n".join(lines), rows)


def _edit_buttons(form: Form, answers: Answers) -> list[list[Button]]:
    rows = [
        [Button(_(f.label), actions.FORM_EDIT.pack(f.key))]
        for f in form.fields
        if f.applies(answers) and f.key in answers and not f.key.endswith("_pending")
    ]
    rows.append([Button(_("« Back to the summary"), "f:sum")])
    return rows


async def _handle_summary(turn: Turn, form: Form) -> None:
    answers: Answers = turn.data.setdefault("answers", {})
    if turn.action == CONFIRM:
        await form.on_submit(turn, answers)
        return
    if turn.action == EDIT:
        turn.say(_("Which information do you want to change?"), _edit_buttons(form, answers))
        return
    if turn.action and turn.action.startswith("f:e:"):
        key = turn.action[4:]
        if any(f.key == key for f in form.fields) and key in answers:
            answers.pop(key, None)
            answers.pop(f"{key}_pending", None)
            for dependent in form.fields:
                if key in dependent.depends_on:
                    answers.pop(dependent.key, None)
            await ask(turn, form)
            return
    if not turn.action and (typed := validators.confirms(turn.text)) is not None:
        # "ok", "đồng ý", "đúng rồi" under "If everything is correct, press …"; "sai rồi": what to change.
        if typed == "yes":
            await form.on_submit(turn, answers)
        else:
            turn.say(_("Which information do you want to change?"), _edit_buttons(form, answers))
        return
    if turn.action == "f:sum" or not turn.action:
        if not turn.action:
            turn.say(_("Please use the buttons below to confirm, edit or cancel."))
        show_summary(turn, form)
        return
    turn.say(_("That button is no longer active."))
    show_summary(turn, form)


# ---- photos -------------------------------------------------------------------------
async def _handle_photo(turn: Turn, form: Form, current: Field) -> None:
    answers: Answers = turn.data["answers"]
    pending: list[dict[str, Any]] = answers.setdefault(f"{current.key}_pending", [])
    attachment = turn.incoming.attachment
    if attachment is not None:
        if len(pending) >= 10:
            turn.say(_("You have already sent 10 files; that is enough. Press “Done”."))
        else:
            item = {"kind": attachment.kind, "file_id": attachment.file_id, "name": attachment.file_name}
            if turn.text.strip():  # the photo's caption, e.g. "giấy phép kinh doanh"
                item["caption"] = turn.text.strip()[:256]
            pending.append(item)
            turn.say(_("Received. Send another photo, or press “Done”."), [[Button(_("Done"), DONE)]])
        return
    if pending and (turn.action == DONE or (not turn.action and validators.says_done(turn.text))):
        answers[current.key] = list(pending)
        answers.pop(f"{current.key}_pending", None)
        _advance(turn, current)
        await ask(turn, form)
        return
    turn.say(_("Please send a photo of the document, or press “Skip”."))
    await ask(turn, form)


# ---- administrative units: province -> district -> commune ---------------------------
UNIT_LEVELS = (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE)
PER_PAGE = 8


def _unit_state(turn: Turn, key: str) -> dict[str, Any]:
    state: dict[str, Any] = turn.data.setdefault("unit", {}).setdefault(
        key, {"level": AreaLevel.PROVINCE, "page": 1, "picked": {}}
    )
    return state


def _unit_options(state: dict[str, Any]) -> list[admin_units.Unit]:
    level = state["level"]
    picked = state["picked"]
    if state.get("matches"):
        return [u for code in state["matches"] if (u := admin_units.get(level, code)) is not None]
    if level == AreaLevel.PROVINCE:
        return admin_units.provinces()
    if level == AreaLevel.DISTRICT:
        return admin_units.districts(picked[AreaLevel.PROVINCE])
    return admin_units.communes(picked[AreaLevel.DISTRICT])


def _unit_prompt(turn: Turn, current: Field, question: str) -> tuple[str, list[list[Button]]]:
    state = _unit_state(turn, current.key)
    level = state["level"]
    picked = state["picked"]
    options = _unit_options(state)
    if level == AreaLevel.PROVINCE and not state.get("matches"):
        home = admin_units.get(AreaLevel.PROVINCE, turn.config.province_code)
        if home is not None:  # the deployment's own province first: most citizens live there
            options = [home] + [u for u in options if u.code != home.code]
    page = admin_units.page(options, state["page"], PER_PAGE)
    ask_for = {
        AreaLevel.PROVINCE: _("Type the name of the province or city, or choose below:"),
        AreaLevel.DISTRICT: _("Type the name of the district (quận/huyện/thị xã), or choose below:"),
        AreaLevel.COMMUNE: _("Type the name of the commune or ward (xã/phường/thị trấn), or choose below:"),
    }[level]
    where = ""
    if picked:
        last_level: admin_units.Level = AreaLevel.DISTRICT if AreaLevel.DISTRICT in picked else AreaLevel.PROVINCE
        unit = admin_units.get(last_level, picked[last_level])
        where = "\n" + _("Chosen so far: {place}").format(place=unit.full_name if unit else "")
    rows = [[Button(u.name, actions.FORM_UNIT.pack(u.code))] for u in page.items]
    nav = []
    if page.has_prev:
        nav.append(Button(_("‹ Previous"), actions.FORM_UNIT_PAGE.pack(page.page_no - 1)))
    if page.has_next:
        nav.append(Button(_("Next ›"), actions.FORM_UNIT_PAGE.pack(page.page_no + 1)))
    if nav:
        rows.append(nav)
    if level != AreaLevel.PROVINCE:
        rows.append([Button(_("↑ Choose again from the province"), "f:ur")])
    return f"{question}{where}\n{ask_for}", rows


def _handle_unit(turn: Turn, form: Form, current: Field) -> bool:
    """Returns True once a commune has been chosen (the answer is then stored)."""
    state = _unit_state(turn, current.key)
    level = state["level"]
    chosen: admin_units.Unit | None = None
    action = turn.action or ""
    if action == "f:ur":
        state.update(level=AreaLevel.PROVINCE, page=1, picked={}, matches=[])
        return False
    if action.startswith("f:up:"):
        state["page"] = max(1, int(action[5:])) if action[5:].isdigit() else 1
        return False
    if action.startswith("f:u:") and action[4:].isdigit():
        chosen = admin_units.get(level, int(action[4:]))
        if chosen is None or not _is_child(state, chosen):
            turn.say(_("That button is no longer active."))
            return False
    elif action:
        turn.say(_("That button is no longer active."))
        return False
    else:
        located = _located(turn.text, state)
        if located:
            _keep_street(turn, form, current)  # also when the commune is still to be chosen
            return _choose(turn, current, state, located)
        named = admin_units.typed_level(turn.text)
        if named is not None and UNIT_LEVELS.index(named) > UNIT_LEVELS.index(level):
            # "xã Yên Bình" at the province step: not a province like it (Yên Bái), but which one of many?
            turn.say(
                _(
                    "There may be several places called “{text}”. Please choose the province (then the district) "
                    "first, or type the commune, the district and the province together, for example: "
                    "Nhật Tiến, Hữu Lũng, Lạng Sơn."
                ).format(text=turn.text[:60])
            )
            state.update(page=1, matches=[])
            return False
        parent = state["picked"].get(
            {AreaLevel.DISTRICT: AreaLevel.PROVINCE, AreaLevel.COMMUNE: AreaLevel.DISTRICT}.get(level, ""), None
        )
        matches = admin_units.search(level, turn.text, parent_code=parent, limit=PER_PAGE)
        if not matches and _kept_as_overflow(turn, form, current):
            return False
        if not matches:
            turn.say(
                _("I could not find “{text}”. Please check the spelling or choose from the list.").format(
                    text=turn.text[:60]
                )
            )
            state.update(page=1, matches=[])
            return False
        if len(matches) == 1 or _exact(matches[0], turn.text):
            chosen = matches[0]
        else:
            state.update(page=1, matches=[u.code for u in matches])
            turn.say(_("Several places match; please choose one."))
            return False
    return _choose(turn, current, state, [*_chosen_units(state), chosen])


# The parts of an address below the commune, folded: a house number, an alley, a street, a village or hamlet.
_STREET_PART = re.compile(r"^(?:\d|(?:so|ngo|ngach|hem|kiet|duong|pho|thon|xom|ap|ban|to|khu pho|khoi|cum)\b)")


def _answer_ahead(turn: Turn, form: Form, key: str | None, text: str) -> Any | None:
    """`text` kept as the answer of the later field `key`, checked as at its own step, when that field has no
    answer yet; the value kept, else None. Not in the history: "Back" returns to the step where it was typed,
    and Edit in the summary changes it."""
    answers: Answers = turn.data.setdefault("answers", {})
    target = next((f for f in form.fields if f.key == key), None)
    if target is None or target.parse is None or target.key in answers:
        return None
    kept = target.parse(text, answers, turn)
    if not isinstance(kept, Valid):
        return None
    answers[target.key] = kept.value
    return kept.value


async def _kept_for_later(turn: Turn, form: Form, current: Field) -> bool:
    """What the current step could not read, kept as the answer of a later `recognisable` field it reads as
    (the ID typed where the sex is asked): said, and the current step is asked again. A later check's refusal
    (an ID already applied for) is said instead, and nothing is kept."""
    answers: Answers = turn.data.setdefault("answers", {})
    for later in form.fields[form.fields.index(current) + 1 :]:
        if not later.recognisable or later.key in answers or later.parse is None or not later.applies(answers):
            continue
        result = later.parse(turn.text, answers, turn)
        if not isinstance(result, Valid) or isinstance(result.value, Also):
            continue
        if later.check is not None and (refused := await later.check(result.value, answers, turn)) is not None:
            turn.say(refused)
            return True
        answers[later.key] = result.value
        turn.say(_("Noted: {fields}.").format(fields=_(later.label)))
        return True
    return False


def _keep_street(turn: Turn, form: Form, current: Field) -> None:
    """The parts typed before the place that are a house number or street ('số 5 ngõ 10 phố Phúc Xá, phường
    Phúc Xá, …'), kept as the `street` field's answer."""
    parts = [p.strip() for p in turn.text.split(",") if p.strip()]
    if len(parts) == 1 and (leading := admin_units.leading_street(turn.text)) is not None:
        parts = [leading, turn.text]  # no commas: "thôn Đồng Lâm xã Nhật Tiến huyện Hữu Lũng Lạng Sơn"
    street = []
    for part in parts[:-1]:  # the last part is a place's at least
        if not _STREET_PART.match(fold(part)):
            break
        street.append(part)
    if street and (kept := _answer_ahead(turn, form, current.street, ", ".join(street))) is not None:
        turn.say(_("Address noted: {address}.").format(address=kept))


OVERFLOW_WORDS = 4  # a place's name is shorter; a sentence of this many words is something else


def _kept_as_overflow(turn: Turn, form: Form, current: Field) -> bool:
    """A sentence typed at a unit step with an `overflow` field: kept as that field's answer, and the place is
    asked again."""
    if len(turn.text.split()) < OVERFLOW_WORDS or _answer_ahead(turn, form, current.overflow, turn.text) is None:
        return False
    turn.say(_("I have noted what you wrote; you will see it again before sending. First, the place:"))
    return True


def _located(text: str, state: dict[str, Any]) -> list[admin_units.Unit]:
    """The place an answer names outright, when it says more than the level asked for: the whole address
    ("xã Nhật Tiến, huyện Hữu Lũng, Lạng Sơn"), a commune at the district step, a district at the province
    step, or another province than the one chosen (a slip corrected). [] leaves the answer to the search."""
    chosen = _chosen_units(state)
    within = admin_units.locate(text, within=chosen)
    if len(within) > len(chosen):
        return within
    anywhere = admin_units.locate(text)
    if chosen and anywhere and anywhere[0] != chosen[0]:
        return anywhere
    return []


def _chosen_units(state: dict[str, Any]) -> list[admin_units.Unit]:
    """The units picked so far, top down (the levels above the one asked)."""
    return [u for level in UNIT_LEVELS if (code := state["picked"].get(level)) and (u := admin_units.get(level, code))]


def _choose(turn: Turn, current: Field, state: dict[str, Any], units: list[admin_units.Unit]) -> bool:
    """Take `units` (top down) as the place chosen so far; True once that reaches the commune (the answer
    is then stored). A button, a name found at the level asked and a typed address all end here."""
    state.update(picked={u.level: u.code for u in units}, page=1, matches=[])
    if units[-1].level == AreaLevel.COMMUNE:
        turn.data["answers"][current.key] = dict(state["picked"])
        turn.data["unit"].pop(current.key, None)
        return True
    state["level"] = UNIT_LEVELS[UNIT_LEVELS.index(units[-1].level) + 1]
    return False


def _is_child(state: dict[str, Any], unit: admin_units.Unit) -> bool:
    picked = state["picked"]
    parent_level = {AreaLevel.DISTRICT: AreaLevel.PROVINCE, AreaLevel.COMMUNE: AreaLevel.DISTRICT}.get(unit.level)
    return parent_level is None or unit.parent_code == picked.get(parent_level)


def _exact(unit: admin_units.Unit, typed: str) -> bool:
    text = fold(nfc(typed))
    return text in (fold(unit.name), fold(unit.short_name))


def preset_unit(turn: Turn, key: str, picked: dict[str, int]) -> None:
    """Start the picker of the place `key` below the units already known (read from an ID card)."""
    known = 0
    while known < len(UNIT_LEVELS) - 1 and UNIT_LEVELS[known] in picked:
        known += 1
    if known:
        chosen = {level: picked[level] for level in UNIT_LEVELS[:known]}
        turn.data.setdefault("unit", {})[key] = {"level": UNIT_LEVELS[known], "page": 1, "picked": chosen}


def unit_text(value: dict[str, int], _answers: Answers | None = None) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, value[AreaLevel.COMMUNE])
    return unit.full_name if unit else "?"
