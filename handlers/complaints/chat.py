"""The complaints chat: the citizen's form (named, anonymous or about one application), their own complaints,
the look-up by code and the one reply; the officials' and monitors' list, view, acknowledgement and answer.
Every change goes through handlers.complaints.service, which the web console calls too.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from handlers import actions, app_code, attempts, forms
from handlers.complaints import service
from handlers.forms import Answers, Choice, Field, Form
from handlers.menu import back_to_menu_button, show_menu
from handlers.router import Router
from handlers.turn import Button, CoreState, Menu, Turn
from handlers.validators import Result, Valid, clean_text
from messages import fmt
from messages.i18n import N_, _
from messages.normalize import search_key
from messages.vocabulary import (
    COMPLAINT_CATEGORY_LABELS,
    OPEN_COMPLAINT_STATUSES,
    AreaLevel,
    ComplaintCategory,
    ComplaintStatus,
    complaint_status_label,
)
from storage import applications as application_repo
from storage import complaints as repo
from storage.models import Complaint, Official
from storage.officials import complaint_scope, covers, get_official, may_change

PER_PAGE = 8


class ComplaintState(StrEnum):
    FORM = "pa.form"  # the citizen's complaint form
    LOOKUP = "pa.lookup"  # waiting for a complaint code
    REPLY = "pa.reply"  # the citizen's one reply to an answer
    ANSWER = "pa.answer"  # an official's answer form


# ---- the citizen's form --------------------------------------------------------------------------
def _text(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return clean_text(text, max_len=service.MAX_TEXT)


def _named(answers: Answers) -> bool:
    return not answers.get("anonymous")


def _no_application(answers: Answers) -> bool:
    return not answers.get("app_code")


CATEGORY_CHOICES = tuple(
    Choice(label, category)
    for category, label in COMPLAINT_CATEGORY_LABELS.items()
    if category != ComplaintCategory.ABUSE
)
# A sentence typed where the subject is asked is the complaint itself (4 words and more; a subject's name is shorter).
CONTENT_WORDS = 4


# The subject a complaint typed in words names (folded): checked in this order, the first that matches.
_SUBJECT_WORDS = (
    (
        ComplaintCategory.ELIGIBILITY,
        re.compile(
            r"\b(?:khong (?:duoc )?(?:duyet|xet|co ten)|bi (?:loai|tu choi|gach ten|bo ten)|khong du dieu kien"
            r"|khong thuoc (?:doi tuong|dien)|doi tuong|dieu kien)\b"
        ),
    ),
    (
        ComplaintCategory.PAYMENT,
        re.compile(
            r"\b(?:chua (?:nhan|ve|thay|duoc (?:nhan|tra|chi))|tien (?:chua|khong|van chua) (?:ve|co)|cham"
            r"|chi tra|chua tra|chua chi|chuyen khoan)\b"
        ),
    ),
    (ComplaintCategory.AMOUNT, re.compile(r"\b(?:muc ho tro|so tien|it qua|thieu tien|nhan thieu|bi tru|tru tien)\b")),
    (
        ComplaintCategory.PROCEDURE,
        re.compile(r"\b(?:can bo|thu tuc|giay to|thai do|gay kho|phien ha|doi tien|thu tien|thu phi|le phi)\b"),
    ),
)


def _subject_in_words(text: str) -> str | None:
    said = search_key(text)
    return next((category for category, words in _SUBJECT_WORDS if words.search(said)), None)


def _category(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    """A subject by its name, or named by the words of the complaint ("tiền chưa về": payment); the complaint
    itself typed here (4 words and more) is kept as its content, under its subject or "other"."""
    chosen = forms.typed_choice(text, CATEGORY_CHOICES)
    if isinstance(chosen, Valid) or chosen.code != "choose":
        return chosen
    subject = _subject_in_words(text)
    if len(text.split()) < CONTENT_WORDS:
        return Valid(subject) if subject is not None else chosen
    content = _text(text, _answers, _turn)
    if not isinstance(content, Valid):
        return content
    return Valid(forms.Also(subject or ComplaintCategory.OTHER, {"text": content.value}))


FIELDS = [
    Field(
        "category",
        N_("About"),
        N_("What is your complaint or suggestion about?"),
        parse=_category,
        choices=CATEGORY_CHOICES,
        when=_named,
    ),
    Field(
        "place",
        N_("Commune"),
        N_("Which commune or ward is it about?"),
        kind="unit",
        show=forms.unit_text,
        when=_no_application,
        overflow="text",  # the complaint typed here is its content, not a place not found
    ),
    Field(
        "text",
        N_("Content"),
        N_(
            "Please describe it (at most 2000 characters). What you write is stored encrypted and is read only by "
            "the officials handling it and the Fatherland Front representatives of the area."
        ),
        parse=_text,
    ),
    Field(
        "photos",
        N_("Photos"),
        N_("You may send photos (documents, evidence), then press “Done”; otherwise press “Skip”."),
        kind="photo",
        optional=True,
        show=lambda value, _answers: _("{n} file(s)").format(n=len(value)),
    ),
]


async def _submitted(turn: Turn, answers: Answers) -> None:
    application = None
    if answers.get("app_code"):
        application = await application_repo.by_code_in_chat(
            turn.session, answers["app_code"], turn.incoming.channel, turn.incoming.chat_id
        )
        if application is None:
            await show_menu(turn, _("That application is not one of yours."))
            return
    commune_code = application.commune_code if application is not None else int(answers["place"][AreaLevel.COMMUNE])
    anonymous = bool(answers.get("anonymous"))
    complaint, notices = await service.submit(
        turn.session,
        turn.services.protector,
        category=ComplaintCategory.ABUSE if anonymous else answers["category"],
        text=answers["text"],
        attachments=list(answers.get("photos") or []),
        commune_code=commune_code,
        application=application,
        channel=turn.incoming.channel,
        chat_id=turn.incoming.chat_id,
        anonymous=anonymous,
        now=turn.now,
        deadlines=service.deadlines_of(turn.config),
    )
    turn.notices += notices
    follow = (
        _("Keep this code: it is the only way to follow an anonymous report (“Look up a complaint”).")
        if anonymous
        else _("You will be told here when it is answered.")
    )
    await show_menu(
        turn,
        _(
            "Your complaint has been sent. Its code is {code}. "
            "It will be acknowledged by {ack} and answered by {answer}."
        ).format(
            code=service.display_code(complaint.code),
            ack=fmt.day(complaint.ack_due),
            answer=fmt.day(complaint.answer_due),
        )
        + "\n"
        + follow,
    )


FORM = Form(
    FIELDS,
    _submitted,
    summary_intro=N_("Please check your complaint before sending it:"),
    confirm_label=N_("✅ Send the complaint"),
    confirm_hint=N_("Press “Send the complaint” to send it to the officials of the area."),
)


# Conversation-data key of the main menu: what a complaint typed with its request said, kept for the form.
DRAFT = "complaint_draft"
# Before a request to complain ("tôi muốn phản ánh", "cho em khiếu nại"), and after its verb ("về việc", "là").
_LEAD_WORDS = frozenset(search_key("tôi em mình cháu con cho xin muốn cần được hỏi ad admin ơi ạ gửi làm có").split())
_VERBS = tuple(tuple(search_key(v).split()) for v in ("phản ánh", "khiếu nại", "tố cáo", "kiến nghị", "góp ý"))
_AFTER_VERB = frozenset(search_key("về việc là rằng chuyện vì do với").split())
_ASKS_HOW = re.compile(r"\b(?:o dau|cho nao|the nao|lam sao|ntn|nhu nao|bang cach nao)\b")


def typed_content(text: str, *, whole: bool = False) -> str | None:
    """What a complaint typed in the menu says, to keep for the form: the words after its request ("tôi muốn
    phản ánh trưởng thôn đòi tiền": "trưởng thôn đòi tiền"), or, `whole`, the message itself when it only
    tells what is wrong. None for a question of how or where to complain, or too few words to be a complaint."""
    if "?" in text or _ASKS_HOW.search(search_key(text)):
        return None
    typed = text.split()
    folded = [search_key(word) for word in typed]
    start = 0
    while start < len(folded) and folded[start] in _LEAD_WORDS:
        start += 1
    verb = next((v for v in _VERBS if tuple(folded[start : start + len(v)]) == v), None)
    if verb is None and not whole:
        return None
    if verb is not None:
        start += len(verb)
        while start < len(folded) and folded[start] in _AFTER_VERB:
            start += 1
    else:
        start = 0
    content = " ".join(typed[start:]).strip(" :,.-")
    return content if len(content.split()) >= CONTENT_WORDS - 1 else None


async def complaints_menu(turn: Turn, draft: str | None = None) -> None:
    """The complaints' menu; `draft`: what the citizen typed of their complaint, kept for the form."""
    turn.goto(CoreState.MENU, {DRAFT: draft} if draft else {})
    turn.say(
        _("Complaints and feedback: tell the commune and the Fatherland Front what is wrong, or report abuse."),
        [
            [Button(_("✍️ Send a complaint or suggestion"), "pa:new")],
            [Button(_("🕵️ Report policy abuse (anonymous)"), "pa:anon")],
            [Button(_("🔎 Look up a complaint by its code"), "pa:lk")],
            [Button(_("My complaints"), "pa:my")],
            back_to_menu_button(),
        ],
    )


async def start_form(turn: Turn, answers: Answers, intro: str) -> None:
    turn.goto(ComplaintState.FORM, {"answers": answers, "history": []})
    turn.say(intro)
    if "text" in answers:  # typed in the menu (_drafted)
        turn.say(_("What you wrote is kept as the content: “{text}”.").format(text=answers["text"]))
    await forms.ask(turn, FORM)


def _drafted(turn: Turn) -> Answers:
    """The answers a complaint typed in the menu gives the form: its content, and its subject when named."""
    draft = turn.data.get(DRAFT)
    if not isinstance(draft, str):
        return {}
    subject = _subject_in_words(draft)
    return {"text": draft, **({"category": subject} if subject is not None else {})}


async def start_named(turn: Turn) -> None:
    await start_form(turn, _drafted(turn), _("A complaint or suggestion to the commune People's Committee."))


async def start_anonymous(turn: Turn) -> None:
    await start_form(
        turn,
        {"anonymous": True, **_drafted(turn)},
        _(
            "An anonymous report of policy abuse (trục lợi chính sách). Your name and chat are not stored with it: "
            "the officials will not know who sent it, and you will follow it by its code."
        ),
    )


async def start_about_application(turn: Turn, code: str) -> None:
    application = await application_repo.by_code_in_chat(
        turn.session, code, turn.incoming.channel, turn.incoming.chat_id
    )
    if application is None:
        await show_menu(turn, _("That application is not one of yours."))
        return
    await start_form(
        turn,
        {"app_code": application.code},
        _("A complaint about application {code}.").format(code=app_code.display(application.code)),
    )


async def form_state(turn: Turn) -> None:
    await forms.handle(turn, FORM)


async def form_ask(turn: Turn) -> None:
    await forms.ask(turn, FORM)


# ---- the citizen's own complaints, look-up, reply -------------------------------------------------
async def _owned(turn: Turn, complaint_id: int) -> Complaint | None:
    complaint = await turn.session.get(Complaint, complaint_id)
    if complaint is None or (complaint.channel, complaint.chat_id) != (turn.incoming.channel, turn.incoming.chat_id):
        return None
    return complaint


async def my_complaints(turn: Turn) -> None:
    turn.goto(CoreState.MENU, {})
    mine = await repo.for_chat(turn.session, turn.incoming.channel, turn.incoming.chat_id)
    rows = [
        [
            Button(
                f"{service.display_code(c.code)} – {complaint_status_label(c.status)}"[:60],
                actions.COMPLAINT_VIEW.pack(c.id),
            )
        ]
        for c in mine
    ]
    rows += [[Button(_("🔎 Look up a complaint by its code"), "pa:lk")], back_to_menu_button()]
    turn.say(_("Your complaints:") if mine else _("You have sent no complaint from this chat."), rows)


async def view_own(turn: Turn, complaint_id: int) -> None:
    complaint = await _owned(turn, complaint_id)
    if complaint is None:
        await show_menu(turn, _("That complaint is not one of yours."))
        return
    text = await service.render(
        turn.session, turn.services.protector, complaint, fmt.today_local(turn.now), for_officials=False
    )
    rows = []
    if service.can_reply(complaint):
        rows.append([Button(_("Reply once more"), actions.COMPLAINT_REPLY.pack(complaint.id))])
    rows += [[Button(_("My complaints"), "pa:my")], back_to_menu_button()]
    turn.say(text, rows)


async def start_lookup(turn: Turn) -> None:
    turn.goto(ComplaintState.LOOKUP, {})
    turn.takes_text = True
    turn.say(_("Type the complaint code (e.g. PA-7QX4-M9P7)."), [back_to_menu_button()])


async def lookup_state(turn: Turn) -> None:
    """A complaint by its code, limited like the application look-up (handlers.attempts): an anonymous
    report's code is its only key. A code whose check character does not fit is a slip, looked up nowhere
    and not counted; a well-formed code that names no complaint is a failed guess."""
    attempt = await attempts.chat_failures(turn)
    blocked = attempts.too_many(turn.now, attempt)
    if blocked is not None:
        await show_menu(turn, blocked)
        return
    code = app_code.normalize(turn.text)
    well_formed = app_code.kind(code) == service.PREFIX
    complaint = await repo.by_code(turn.session, code) if well_formed else None
    if complaint is None:
        text = _("“{text}” is not the code of any complaint. Please check it and type it again.").format(
            text=turn.text[:30]
        )
        if well_formed:
            attempt.failures += 1
            text += " " + _("Attempts left: {left}.").format(left=attempts.left(attempt))
        elif (to_check := app_code.what_to_check(code)) is not None:
            text += " " + to_check
        turn.takes_text = True
        turn.say(text, [back_to_menu_button()])
        return
    turn.goto(CoreState.MENU, {})
    own = (complaint.channel, complaint.chat_id) == (turn.incoming.channel, turn.incoming.chat_id)
    if own or complaint.anonymous:  # an anonymous report's code is its only key
        text = await service.render(
            turn.session, turn.services.protector, complaint, fmt.today_local(turn.now), for_officials=False
        )
    else:  # someone else's complaint: its status only, never its text
        text = _("Complaint {code}: {status}.").format(
            code=service.display_code(complaint.code), status=complaint_status_label(complaint.status)
        )
    turn.say(text, [back_to_menu_button()])


async def start_reply(turn: Turn, complaint_id: int) -> None:
    complaint = await _owned(turn, complaint_id)
    if complaint is None or not service.can_reply(complaint):
        await show_menu(turn, _("You cannot reply to this complaint any more."))
        return
    turn.goto(ComplaintState.REPLY, {"complaint_id": complaint.id})
    turn.takes_text = True
    turn.say(
        _("Type your reply to the answer of complaint {code} (you can reply once).").format(
            code=service.display_code(complaint.code)
        ),
        [[Button(_("Cancel"), "cancel")]],
    )


async def reply_state(turn: Turn) -> None:
    complaint = await _owned(turn, int(turn.data.get("complaint_id", 0)))
    if complaint is None or not service.can_reply(complaint):
        await show_menu(turn, _("You cannot reply to this complaint any more."))
        return
    cleaned = clean_text(turn.text, max_len=service.MAX_TEXT)
    if not cleaned.ok:
        turn.takes_text = True
        turn.say(cleaned.message)  # type: ignore[union-attr]
        return
    text: str = cleaned.value  # type: ignore[union-attr]
    deadlines = service.deadlines_of(turn.config)
    turn.notices += await service.reply(turn.session, turn.services.protector, complaint, text, turn.now, deadlines)
    await show_menu(
        turn,
        _("Your reply has been added to complaint {code}; it will be answered by {date}.").format(
            code=service.display_code(complaint.code), date=fmt.day(complaint.answer_due)
        ),
    )


# ---- the officials' and monitors' side ---------------------------------------------------------
async def _official(turn: Turn) -> Official | None:
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        await show_menu(turn, _("This function is only for registered officials."))
    return official


async def _complaint_for(turn: Turn, official: Official, complaint_id: int) -> Complaint | None:
    complaint = await turn.session.get(Complaint, complaint_id)
    if complaint is None or not covers(official, complaint):
        turn.say(
            _("That complaint does not exist or is outside your area."),
            [[Button(_("« Complaints"), "pa:of")], [Button(_("« Officials' menu"), "of")]],
        )
        return None
    return complaint


async def officials_list(turn: Turn, official: Official, page_no: int) -> None:
    turn.goto(CoreState.MENU, {})
    today = fmt.today_local(turn.now)
    total, items = await repo.listed(
        turn.session, complaint_scope(official), open_only=True, offset=(max(page_no, 1) - 1) * PER_PAGE, limit=PER_PAGE
    )
    pages = max(1, -(-total // PER_PAGE))
    rows = []
    for complaint in items:
        late = complaint.answer_due < today or (complaint.status == ComplaintStatus.NEW and complaint.ack_due < today)
        category = _(COMPLAINT_CATEGORY_LABELS[complaint.category])
        label = f"{'⚠️ ' if late else ''}{service.display_code(complaint.code)} – {category}"
        rows.append([Button(label[:60], actions.COMPLAINT_OPEN.pack(complaint.id))])
    nav = []
    if page_no > 1:
        nav.append(Button(_("‹ Previous"), actions.COMPLAINTS_LIST.pack(page_no - 1)))
    if page_no < pages:
        nav.append(Button(_("Next ›"), actions.COMPLAINTS_LIST.pack(page_no + 1)))
    if nav:
        rows.append(nav)
    rows.append([Button(_("« Officials' menu"), "of")])
    turn.say(
        _("Open complaints in your area: {count}, page {page}/{pages}.").format(
            count=total, page=min(page_no, pages), pages=pages
        ),
        rows,
    )


async def officials_view(turn: Turn, official: Official, complaint: Complaint, intro: str | None = None) -> None:
    turn.goto(CoreState.MENU, {})
    text = await service.render(
        turn.session, turn.services.protector, complaint, fmt.today_local(turn.now), for_officials=True
    )
    repo.audit_view(turn.session, service.official_actor(official), complaint, turn.now)
    rows = []
    if may_change(official):
        if complaint.status == ComplaintStatus.NEW:
            rows.append([Button(_("Acknowledge receipt"), actions.COMPLAINT_ACK.pack(complaint.id))])
        if complaint.status in OPEN_COMPLAINT_STATUSES:
            rows.append([Button(_("Answer"), actions.COMPLAINT_ANSWER.pack(complaint.id))])
    rows += [[Button(_("« Complaints"), "pa:of")], [Button(_("« Officials' menu"), "of")]]
    turn.say(f"{intro}\n\n{text}" if intro else text, rows)


async def _refused(turn: Turn) -> None:
    turn.say(
        _("As a monitor you can view the complaints but not change anything."),
        [[Button(_("« Complaints"), "pa:of")], [Button(_("« Officials' menu"), "of")]],
    )


async def officials_ack(turn: Turn, official: Official, complaint: Complaint) -> None:
    if not may_change(official):
        await _refused(turn)
        return
    turn.notices += await service.acknowledge(turn.session, turn.services.protector, official, complaint, turn.now)
    await officials_view(turn, official, complaint, _("Acknowledged; the citizen has been told."))


async def _may_answer(turn: Turn, official: Official, complaint: Complaint) -> bool:
    """Whether `official` may answer `complaint` now; otherwise the reason is shown. Checked when the answer
    is asked for and again when it is given (another official may have answered meanwhile)."""
    if not may_change(official):
        await _refused(turn)
        return False
    if complaint.status not in OPEN_COMPLAINT_STATUSES:
        await officials_view(turn, official, complaint, _("This complaint has already been answered."))
        return False
    return True


async def officials_start_answer(turn: Turn, official: Official, complaint: Complaint) -> None:
    if not await _may_answer(turn, official, complaint):
        return
    turn.goto(ComplaintState.ANSWER, {"complaint_id": complaint.id, "answers": {}, "history": []})
    await forms.ask(turn, ANSWER_FORM)


async def _answered(turn: Turn, answers: Answers) -> None:
    official = await _official(turn)
    if official is None:
        return
    complaint = await _complaint_for(turn, official, int(turn.data.get("complaint_id", 0)))
    if complaint is None or not await _may_answer(turn, official, complaint):
        return
    turn.notices += await service.answer(
        turn.session, turn.services.protector, official, complaint, answers["answer"], turn.now
    )
    await officials_view(turn, official, complaint, _("The answer has been sent to the citizen."))


def _answer_text(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return clean_text(text, max_len=service.MAX_TEXT)


ANSWER_FORM = Form(
    [
        Field(
            "answer",
            N_("Answer"),
            N_("Type the answer to the citizen (they will read it as you write it)."),
            parse=_answer_text,
        )
    ],
    _answered,
    summary_intro=N_("Please check the answer before it is sent:"),
    confirm_label=N_("✅ Send the answer"),
    confirm_hint=N_("Press “Send the answer” to send it; the citizen is then notified."),
    edit_label=N_("✏️ Correct the answer"),
)


async def answer_state(turn: Turn) -> None:
    if await _official(turn) is None:
        return
    await forms.handle(turn, ANSWER_FORM)


async def answer_ask(turn: Turn) -> None:
    await forms.ask(turn, ANSWER_FORM)


# ---- routing -------------------------------------------------------------------------------------
OFFICIAL_ACTIONS = {
    actions.COMPLAINT_OPEN.name,
    actions.COMPLAINT_ACK.name,
    actions.COMPLAINT_ANSWER.name,
    actions.COMPLAINTS_LIST.name,
}


async def on_action(turn: Turn) -> None:
    parsed = actions.unpack(turn.action or "")
    if parsed is None or parsed[0].name == "pa":
        await complaints_menu(turn)
        return
    action, args = parsed
    if action.name in OFFICIAL_ACTIONS:
        official = await _official(turn)
        if official is None:
            return
        if action is actions.COMPLAINTS_LIST:
            await officials_list(turn, official, args[0] if args else 1)
            return
        complaint = await _complaint_for(turn, official, args[0])
        if complaint is None:
            return
        if action is actions.COMPLAINT_OPEN:
            await officials_view(turn, official, complaint)
        elif action is actions.COMPLAINT_ACK:
            await officials_ack(turn, official, complaint)
        else:
            await officials_start_answer(turn, official, complaint)
        return
    citizen: dict[str, Any] = {
        "pa:new": lambda: start_named(turn),
        "pa:anon": lambda: start_anonymous(turn),
        "pa:lk": lambda: start_lookup(turn),
        "pa:my": lambda: my_complaints(turn),
        actions.COMPLAINT_ABOUT.name: lambda: start_about_application(turn, args[0]),
        actions.COMPLAINT_VIEW.name: lambda: view_own(turn, args[0]),
        actions.COMPLAINT_REPLY.name: lambda: start_reply(turn, args[0]),
    }
    await citizen[action.name]()


def takes_files(turn: Turn) -> bool:
    """The complaint form's photo step keeps photos and files."""
    step = turn.data.get("step")
    return any(f.key == step and f.kind == "photo" for f in FORM.fields)


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("📣 Complaints and feedback"), "pa")
router.menu_entry(N_("📝 Complaints"), "pa:of", menu=Menu.OFFICIALS)
router.command("/phananh", "/complaint")(complaints_menu)
router.action("pa")(on_action)
router.state(ComplaintState.FORM, ask=form_ask, resumable=True, takes_files=takes_files)(form_state)
router.state(ComplaintState.ANSWER, ask=answer_ask)(answer_state)
router.state(ComplaintState.REPLY)(reply_state)
router.state(ComplaintState.LOOKUP)(lookup_state)
