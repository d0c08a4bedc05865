"""The citizen's side of an application after submitting: status, look-up by code, answers, withdrawal."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import actions, app_code, attempts
from handlers.intents import chat_intent, code_in, is_acknowledgement
from handlers.menu import back_to_menu_button, show_menu
from handlers.review import lifecycle
from handlers.review import service as review
from handlers.router import Router
from handlers.turn import Button, CoreState, Turn
from handlers.validators import clean_text, says_unsure
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.knowledge import entry_by_id
from messages.normalize import search_key
from messages.vocabulary import KIND_LABELS, ApplicationKind, ApplicationStatus
from storage import actors, lookups, postings
from storage import applications as repo
from storage.crypto import DecryptionError
from storage.deadlines import posting_due, review_due
from storage.models import Application, LookupAttempt, LookupCodeAttempt


class LookupState(StrEnum):
    CODE = "lookup.code"  # waiting for an application code
    ID_DIGITS = "lookup.id"  # waiting for the last 4 digits of its ID number


ANSWER_STATE = "answer"  # typing the answer to an official's request for information


def actor(turn: Turn) -> str:
    return actors.citizen(turn.incoming.channel, turn.incoming.user_id)


async def describe(session: AsyncSession, application: Application, today: date | None = None) -> str:
    """What a citizen sees about one application; with `today`, what comes next too (next_steps)."""
    lines = [
        _("Application {code} – {kind}").format(
            code=app_code.display(application.code), kind=_(KIND_LABELS.get(application.kind, application.kind))
        ),
        _("Status: {status}").format(status=vocabulary.status_label(application.status)),
        _("Submitted: {date}").format(date=fmt.day(application.submitted_at)),
    ]
    if application.status_changed_at and application.status != ApplicationStatus.SUBMITTED:
        lines.append(_("Last change: {date}").format(date=fmt.day(application.status_changed_at)))
    if application.status == ApplicationStatus.NEEDS_INFO and application.info_request:
        lines.append(_("Requested information: “{question}”").format(question=application.info_request))
    if application.decision_number and application.decision_date:
        lines.append(
            _("Decision: {number} of {date}").format(
                number=application.decision_number, date=fmt.day(application.decision_date)
            )
        )
    if application.decision_number and application.status in postings.POSTED_STATUSES:
        lines.append(await _posting_line(session, application))
    if application.approved_amount and application.status in (ApplicationStatus.APPROVED, ApplicationStatus.PAID):
        lines.append(_("Approved amount: {amount}").format(amount=fmt.vnd(application.approved_amount)))
    for payment in await lookups.payments(session, application):
        lines.append(
            _("Paid {amount} on {date} ({method})").format(
                amount=fmt.vnd(payment.amount),
                date=fmt.day(payment.paid_on),
                method=_(lifecycle.METHOD_LABELS.get(payment.method, payment.method)),
            )
        )
    if application.status == ApplicationStatus.REJECTED and application.rejection_reason:
        lines.append(_("Reason: {reason}").format(reason=application.rejection_reason))
    if today is not None:
        lines += next_steps(application, today)
    return "\n".join(lines)


_NOT_YET = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.NEEDS_INFO,
    ApplicationStatus.FORWARDED,
)


async def money_status(turn: Turn) -> str | None:
    """Where this chat's applications stand, a line or two each, for a citizen asking after their money
    ("bao giờ tôi nhận được tiền", "sao lâu vậy"); None when the chat has none."""
    mine = await repo.for_chat(turn.session, turn.incoming.channel, turn.incoming.chat_id)
    lines: list[str] = []
    for application in mine[:3]:
        lines.append(
            _("Your application {code}: {status}.").format(
                code=app_code.display(application.code), status=vocabulary.status_label(application.status)
            )
        )
        if application.status == ApplicationStatus.NEEDS_INFO:
            lines.append(_("The commune asked you for more information: answer it under “My applications”."))
        elif application.status in _NOT_YET:
            lines.append(_("It is not approved yet: the money is paid only after the list is approved."))
        lines += next_steps(application, fmt.today_local(turn.now))
    return "\n".join(lines) or None


def next_steps(application: Application, today: date) -> list[str]:
    """What comes next for the application, where a rule says it: the commune's 03 working days and the
    later steps of a household business (QĐ 23, policy-facts §5), the payment after an approval. The free
    workers' steps are the province's, and the payment's the locality's: not stated as deadlines."""
    if application.status == ApplicationStatus.APPROVED:
        return [_("It is approved: the commune pays it as the locality arranges.")]
    if application.kind != ApplicationKind.HOUSEHOLD_BUSINESS:
        return []
    if application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        due = review_due(application)
        if today > due:
            return [
                _(
                    "The commune's 3 working days ended on {date}: you can send feedback with "
                    "“📣 Complaints and feedback”."
                ).format(date=fmt.day(due))
            ]
        return [_("The commune has 3 working days, until {date}.").format(date=fmt.day(due))]
    if application.status == ApplicationStatus.FORWARDED:
        return [
            _(
                "After the commune, the tax office (Chi cục Thuế) appraises it within 02 working days, the "
                "district within 02 working days and the province decides within 02 working days."
            )
        ]
    return []


async def _posting_line(session: AsyncSession, application: Application) -> str:
    """Whether the result was posted publicly at the commune, and when (seed 002: within 5 days)."""
    assert application.decision_number is not None
    posting = await postings.posting_for(session, application.commune_code, application.decision_number)
    if posting is not None:
        return _("Posted publicly at the commune People's Committee on {date}.").format(date=fmt.day(posting.posted_on))
    if application.decision_date is not None:
        return _("Not yet posted publicly at the commune (to be posted by {date}).").format(
            date=fmt.day(posting_due(application.decision_date))
        )
    return _("Not yet posted publicly at the commune.")


def _buttons(application: Application) -> list[Button]:
    buttons = []
    if application.status == ApplicationStatus.NEEDS_INFO:
        buttons.append(
            Button(
                _("Reply {code}").format(code=app_code.display(application.code)), actions.ANSWER.pack(application.code)
            )
        )
    buttons.append(
        Button(
            _("Complaint about {code}").format(code=app_code.display(application.code)),
            actions.COMPLAINT_ABOUT.pack(application.code),
        )
    )
    if lifecycle.can_move(application, ApplicationStatus.WITHDRAWN):
        buttons.append(
            Button(
                _("Withdraw {code}").format(code=app_code.display(application.code)),
                actions.WITHDRAW.pack(application.code),
            )
        )
    return buttons


async def my_applications(turn: Turn) -> None:
    turn.goto(CoreState.MENU, {})
    mine = await repo.for_chat(turn.session, turn.incoming.channel, turn.incoming.chat_id)
    lookup = [Button(_("Look up by application code"), "lookup")]
    if not mine:
        turn.say(
            _("You have no applications from this chat yet.")
            + " "
            + _(
                "An application made elsewhere (at the commune, by a village head, or from another phone) can be "
                "looked up with its code and the last 4 digits of the ID number."
            ),
            [lookup, back_to_menu_button()],
        )
        return
    # Every button goes on the last message: "#N" in the console and Zalo numbers refer to it.
    rows: list[list[Button]] = []
    for application in mine[:5]:
        turn.say(await describe(turn.session, application, fmt.today_local(turn.now)))
        rows += [[b] for b in _buttons(application)]
    if len(mine) > 5:
        turn.say(_("Only your 5 most recent applications are shown."))
    turn.say(_("What next?"), [*rows, lookup, back_to_menu_button()])


# ---- look-up by code and the last 4 ID digits, rate-limited (handlers.attempts) ---------------
async def start_lookup(turn: Turn) -> None:
    turn.goto(LookupState.CODE, {})
    turn.takes_text = True
    turn.say(
        _(
            "To look up an application you need its code and the last 4 digits of the ID number given in it. "
            "Type the application code (e.g. HK-7QX4-M9P7)."
        ),
        [back_to_menu_button()],
    )


async def lookup_state(turn: Turn) -> None:
    turn.takes_text = True  # a code or 4 digits, never a button number
    attempt = await attempts.chat_failures(turn)
    code_attempt = (
        await attempts.code_failures(turn, turn.data.get("code", "")) if turn.state == LookupState.ID_DIGITS else None
    )
    if await _blocked(turn, attempt, code_attempt):
        return
    typed_code = code_in(turn.text)  # "tra cứu hk 7qx4 m9pr": the code among other words
    if turn.state == LookupState.CODE and typed_code is None and says_unsure(turn.text):
        # "không biết", "quên rồi": how to find the application without its code; the code may still come.
        lost = entry_by_id("lost_code", turn.config.hotline)
        if lost is not None:
            turn.say(lost.answer, [[Button(_("My applications"), "status")], back_to_menu_button()])
            return
    if turn.state == LookupState.CODE or typed_code is not None:  # a code at the digits step starts over
        await take_code(turn, typed_code or turn.text, turn.text if typed_code else "")
        return
    digits = "".join(ch for ch in turn.text if ch.isdigit())
    if len(digits) in (9, 12):  # the whole ID number typed: its last 4 digits
        digits = digits[-4:]
    if len(digits) != 4:  # no guess: a slip or "không nhớ" costs no attempt
        turn.say(
            _(
                "Type the last 4 digits of the ID number (CCCD/CMND) given in the application, for example 2345: "
                "they are at the end of the number on the card."
            ),
            [back_to_menu_button()],
        )
        return
    assert code_attempt is not None  # the digits step: its code's count was read above
    await _guess(turn, digits, attempt, code_attempt)


async def _blocked(turn: Turn, *counts: LookupAttempt | LookupCodeAttempt | None) -> bool:
    """Too many wrong guesses (`counts`: this chat's, and the code's when one is taken): said, back to the menu."""
    blocked = attempts.too_many(turn.now, *counts)
    if blocked is not None:
        await show_menu(turn, blocked)
    return blocked is not None


async def _check_digits(turn: Turn, digits: str) -> None:
    """The digits given with a code just taken (take_code): checked against the counts of that code."""
    attempt = await attempts.chat_failures(turn)
    code_attempt = await attempts.code_failures(turn, turn.data.get("code", ""))
    if not await _blocked(turn, attempt, code_attempt):
        await _guess(turn, digits, attempt, code_attempt)


async def _guess(turn: Turn, digits: str, attempt: LookupAttempt, code_attempt: LookupCodeAttempt) -> None:
    """The last 4 digits of the ID for the code taken: the application shown, or an attempt spent."""
    application = await repo.by_code(turn.session, turn.data.get("code", ""))
    if application is None or not _id_ends_with(turn, application, digits):
        attempt.failures += 1
        code_attempt.failures += 1
        left = attempts.left(attempt, code_attempt)
        turn.goto(LookupState.CODE, {})
        turn.say(
            _(
                "The code or the last 4 digits do not match any application. Attempts left: {left}. "
                "Type the application code again."
            ).format(left=left),
            [back_to_menu_button()],
        )
        return
    lookups.audit_view(turn.session, actor(turn), "lookup", application, turn.now)
    turn.goto(CoreState.MENU, {})
    rows = [back_to_menu_button()]
    if _may_follow(turn, application):
        turn.data[VERIFIED] = application.code  # what "Follow" may link: the code just proven with the ID digits
        rows.insert(0, [Button(_("Follow this application"), actions.FOLLOW.pack(application.code))])
    turn.say(await describe(turn.session, application, fmt.today_local(turn.now)), rows)


# ---- a citizen registered on their behalf links their own chat ---------------------------------
VERIFIED = "verified_code"  # conversation-data key: the code this chat has just looked up successfully


def _may_follow(turn: Turn, application: Application) -> bool:
    """Registered by an official or helper, not linked yet, and not this chat's already."""
    return (
        application.assisted_by is not None
        and application.linked_at is None
        and (application.channel, application.chat_id) != (turn.incoming.channel, turn.incoming.chat_id)
    )


async def follow(turn: Turn) -> None:
    code = turn.action_arg
    application = await repo.by_code(turn.session, code) if turn.data.get(VERIFIED) == code else None
    if application is None or not _may_follow(turn, application):
        await show_menu(turn, _("That button is no longer active. Look the application up again to follow it."))
        return
    assisted_chat = (application.channel, application.chat_id)
    if not await repo.link_chat(
        turn.session, application, turn.incoming.channel, turn.incoming.chat_id, turn.user.id, turn.now
    ):
        await show_menu(turn, _("That button is no longer active. Look the application up again to follow it."))
        return  # another chat linked it a moment before
    lookups.audit_view(turn.session, actor(turn), "link", application, turn.now)  # the citizen's chat took it
    display = app_code.display(application.code)
    turn.notify(
        *assisted_chat,
        _("The citizen now follows application {code} from their own chat; its news goes there.").format(code=display),
    )
    await show_menu(
        turn,
        _(
            "Done: application {code} now belongs to this chat. You will be told here when its status changes, and "
            "you will find it under “My applications”."
        ).format(code=display),
    )


def not_a_code(turn: Turn) -> bool:
    """At the code step: thanks, a greeting or a question with no code in it leaves the look-up and is
    answered; a code, or what may be a mistyped one, is looked up."""
    text = turn.text
    if not text or turn.action or is_acknowledgement(text) or says_unsure(text):
        return False  # "ok": the code is still to come; "không biết" is answered at the step
    return bool(chat_intent(text) or (code_in(text) is None and len(text.split()) >= 3))


async def take_code(turn: Turn, code: str, text: str = "") -> None:
    """The look-up's code step, also for a code typed or pasted outside it (in a question). The ID's last 4
    digits given in the same message (`text`: "HK-7QX4-M9P7, cccd đuôi 2345") are checked at once."""
    if (to_check := app_code.what_to_check(code)) is not None:
        turn.goto(LookupState.CODE, {})
        turn.takes_text = True
        turn.say(
            _("“{text}” is not a valid application code.").format(text=code[:30]) + " " + to_check,
            [back_to_menu_button()],
        )
        return
    turn.goto(LookupState.ID_DIGITS, {"code": app_code.normalize(code)})
    turn.takes_text = True
    if (digits := _id_digits(text.replace(code, " "))) is not None:
        await _check_digits(turn, digits)
        return
    turn.say(_("Now type the last 4 digits of the ID number in the application."), [back_to_menu_button()])


def _id_digits(text: str) -> str | None:
    """The last 4 digits of an ID given beside a code: the one group of 4, 9 or 12 digits in the text."""
    groups = [g for g in re.findall(r"(?<![\d/.:-])\d+(?![\d/.:-])", text) if len(g) in (4, 9, 12)]
    return groups[0][-4:] if len(groups) == 1 else None


def _id_ends_with(turn: Turn, application: Application, digits: str) -> bool:
    try:
        return turn.services.protector.decrypt(application.id_number_enc, context="id_number").endswith(digits)
    except DecryptionError:
        return False


# ---- withdrawal ------------------------------------------------------------------------------
async def _own(turn: Turn, code: str) -> Application | None:
    return await repo.by_code_in_chat(turn.session, code, turn.incoming.channel, turn.incoming.chat_id)


async def withdraw(turn: Turn) -> None:
    application = await _own(turn, turn.action_arg)
    if application is None or not lifecycle.can_move(application, ApplicationStatus.WITHDRAWN):
        await show_menu(turn, _("This application can no longer be withdrawn."))
        return
    ask_withdrawal(turn, application)


async def withdraw_request(turn: Turn) -> None:
    """'tôi muốn rút hồ sơ': the confirmation when the chat has one application that can be withdrawn;
    otherwise its applications, each with its own button."""
    mine = await repo.for_chat(turn.session, turn.incoming.channel, turn.incoming.chat_id)
    open_ = [a for a in mine if lifecycle.can_move(a, ApplicationStatus.WITHDRAWN)]
    if len(open_) != 1:
        await my_applications(turn)
        return
    turn.goto(CoreState.MENU, {})
    ask_withdrawal(turn, open_[0])


def ask_withdrawal(turn: Turn, application: Application) -> None:
    code = app_code.display(application.code)
    turn.say(
        _("Do you really want to withdraw application {code}? It will no longer be considered.").format(code=code),
        [
            [Button(_("Yes, withdraw it"), actions.WITHDRAW_YES.pack(application.code))],
            [Button(_("No, keep it"), "status")],
        ],
    )


async def withdraw_confirmed(turn: Turn) -> None:
    application = await _own(turn, turn.action_arg)
    if application is None or not lifecycle.can_move(application, ApplicationStatus.WITHDRAWN):
        await show_menu(turn, _("This application can no longer be withdrawn."))
        return
    await review.withdraw(turn.session, application, actor=actor(turn), now=turn.now, protector=turn.services.protector)
    await show_menu(turn, _("Application {code} has been withdrawn.").format(code=app_code.display(application.code)))


# ---- answering an official's question ----------------------------------------------------------
async def start_answer(turn: Turn) -> None:
    application = await _own(turn, turn.action_arg)
    if application is None or application.status != ApplicationStatus.NEEDS_INFO:
        await show_menu(turn, _("This application is not waiting for information from you."))
        return
    turn.goto(ANSWER_STATE, {"code": application.code})
    turn.takes_text = True
    turn.say(
        _("The question was: “{question}”\nType your answer, or send a photo of the document.").format(
            question=application.info_request
        ),
        [[Button(_("Cancel"), "cancel")]],
    )


# The menu's conversation data key: a message typed in the menu, kept for "send it as the answer".
TYPED_ANSWER = "typed_answer"
# "… gửi ở đâu?", "tại sao phải gửi", "bao giờ có tiền": a question, not the answer an official waits for.
_ASKS = re.compile(
    r"\?|\b(?:bao nhieu|the nao|nhu nao|o dau|khi nao|bao gio|tai sao|vi sao|lam sao|sao|gi|nao|may)\b"
    r"|\b(?:khong|chua|ko|k)\s*(?:a|vay|nhi|ha)?\s*$"
)


async def _waiting(turn: Turn) -> Application | None:
    """This chat's one application waiting for information from the citizen; None for none or several."""
    mine = await repo.for_chat(turn.session, turn.incoming.channel, turn.incoming.chat_id)
    waiting = [a for a in mine if a.status == ApplicationStatus.NEEDS_INFO]
    return waiting[0] if len(waiting) == 1 else None


async def awaited_answer(turn: Turn) -> Application | None:
    """The application whose answer a message typed in the menu may be: one waits for information from the
    citizen and the message is no question ("tôi không có giấy đăng ký kinh doanh"); else None."""
    text = turn.text
    if turn.state != CoreState.MENU or len(text.split()) < 3 or chat_intent(text) or _ASKS.search(search_key(text)):
        return None  # "ok", "cảm ơn bạn nhiều": no answer to an official; a question is answered as one
    application = await _waiting(turn)
    return application if application is not None and clean_text(text, max_len=1000).ok else None


def offer_typed_answer(turn: Turn, application: Application) -> None:
    """A message typed in the menu that may be the answer `application` waits for (awaited_answer): it is kept,
    and a button sends it, so the citizen need not type it again after pressing "Reply"."""
    turn.data[TYPED_ANSWER] = clean_text(turn.text, max_len=1000).value  # type: ignore[union-attr]
    code = app_code.display(application.code)
    turn.say(
        _(
            "📌 Application {code} is waiting for information from you: “{question}”. If the message you just "
            "sent is your answer, press the button below."
        ).format(code=code, question=application.info_request),
        [
            [Button(_("Send that message as the answer"), actions.ANSWER_TYPED.pack(application.code))],
            [Button(_("« Main menu"), "menu")],
        ],
    )


async def send_typed_answer(turn: Turn) -> None:
    """The "send that message as the answer" button: the kept message, else the usual "type your answer"."""
    typed = turn.data.get(TYPED_ANSWER)
    application = await _own(turn, turn.action_arg)
    if not isinstance(typed, str) or application is None or application.status != ApplicationStatus.NEEDS_INFO:
        await start_answer(turn)
        return
    await _record_answer(turn, application, typed, None)


async def answer_unasked(turn: Turn) -> bool:
    """A photo or file sent outside any step while one application of this chat waits for information
    from the citizen: it is that answer (asked for a photo, people send it without pressing "Reply").
    False, and nothing done, with none waiting or several (then the citizen chooses with "Reply")."""
    application = await _waiting(turn)
    if application is None:
        return False
    turn.goto(ANSWER_STATE, {"code": application.code})
    await answer_state(turn)
    return True


async def answer_state(turn: Turn) -> None:
    application = await _own(turn, turn.data.get("code", ""))
    if application is None or application.status != ApplicationStatus.NEEDS_INFO:
        await show_menu(turn, _("This application is not waiting for information from you."))
        return
    attachment = turn.incoming.attachment
    document = None
    if attachment is not None:
        document = (attachment.kind, attachment.file_id, attachment.file_name)
        note = _("The citizen sent a document.")
        if turn.text.strip():
            note = _("The citizen sent a document: “{caption}”").format(caption=turn.text.strip()[:500])
    else:
        cleaned = clean_text(turn.text, max_len=1000)
        if not cleaned.ok:
            turn.takes_text = True
            turn.say(cleaned.message)  # type: ignore[union-attr]
            return
        note = cleaned.value  # type: ignore[union-attr]
    await _record_answer(turn, application, note, document)


async def _record_answer(
    turn: Turn, application: Application, note: str, document: tuple[str, str, str | None] | None
) -> None:
    await review.answer(
        turn.session,
        application,
        turn,
        note=note,
        attachment=document,
        actor=actor(turn),
        now=turn.now,
        protector=turn.services.protector,
    )
    code = app_code.display(application.code)
    await show_menu(turn, _("Thank you. Your answer has been added to application {code}.").format(code=code))


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("My applications"), "status")
router.command("/hoso", "/trangthai")(my_applications)
router.action("status")(my_applications)
router.action("lookup")(start_lookup)
router.action("follow")(follow)
router.action("wd")(withdraw)
router.action("wdy")(withdraw_confirmed)
router.action("ans")(start_answer)
router.action("ansm")(send_typed_answer)
router.state("lookup")(lookup_state)
router.state(LookupState.CODE, questions=not_a_code)(lookup_state)
router.state(ANSWER_STATE, takes_files=lambda _turn: True)(answer_state)
