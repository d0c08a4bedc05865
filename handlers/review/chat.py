"""The officials' side in the chat: list applications in their area, open one, move it on.

Every query is limited to the official's area (storage.officials.scope), every view is audited,
and every change goes through handlers.review.service with a confirmation step.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers import actions, admin_units, app_code, forms, validators
from handlers.apply import chat as intake
from handlers.apply import duplicates
from handlers.forms import Answers, Choice, Field, Form
from handlers.gate import gated_official, officials_only
from handlers.menu import entries, show_menu
from handlers.review import lifecycle, payment_confirm, reasons
from handlers.review import service as review
from handlers.router import Router
from handlers.turn import Button, CoreState, Menu, Turn
from handlers.validators import Invalid, Result, Valid, clean_text, parse_date
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.vocabulary import ApplicationKind, ApplicationStatus, AreaLevel
from storage import confirmations, deadlines, lookups
from storage.applications import note_of
from storage.models import Application, Official
from storage.officials import covers, is_monitor, may_change

PER_PAGE = 8
ACTION_LABELS: dict[str, str] = {
    ApplicationStatus.UNDER_REVIEW: N_("Start review"),
    ApplicationStatus.NEEDS_INFO: N_("Ask for information"),
    ApplicationStatus.FORWARDED: N_("Forward to the district"),
    ApplicationStatus.APPROVED: N_("Record approval"),
    ApplicationStatus.REJECTED: N_("Reject"),
    ApplicationStatus.PAID: N_("Record payment"),
}


actor = review.official_actor
# Conversation-data key (the main menu's data, written by show_application): the application the official
# has open, which an action typed next ("chuyển huyện", "duyệt hồ sơ này") is about (handlers/review/typed.py).
VIEWED = "of_viewed"


async def _application(turn: Turn, official: Official, app_id: str | int) -> Application | None:
    application = await lookups.by_id(turn.session, int(app_id)) if str(app_id).isdigit() else None
    if application is None or not review.may_act(official, application):
        # The same answer for "missing" and "not yours": nothing leaks about other areas.
        await home(turn, official, _("That application does not exist or is outside your area."))
        return None
    return application


# ---- home and lists -------------------------------------------------------------------------
async def home(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto(CoreState.MENU, {})
    counts = await lookups.area_counts(turn.session, official)
    rows = [
        [Button(f"{vocabulary.status_label(status)} ({counts.get(status, 0)})", actions.OF_LIST.pack(status))]
        for status in vocabulary.STATUSES
        if counts.get(status)
    ]
    # The other features' entries of the officials' menu (report, announcements), registered with their routers.
    extra = entries(turn, Menu.OFFICIALS)
    if not may_change(official):  # a monitor sends no announcement
        extra = [button for button in extra if button.action != "bc"]
    rows.append([Button(_("Overdue"), actions.OF_LIST.pack(lookups.OVERDUE)), *extra[:1]])
    rows += [[button] for button in extra[1:]]
    rows.append([Button(_("« Main menu"), "menu")])
    text = _("Applications in your area: {total}. Choose a list:").format(total=sum(counts.values()))
    text += "\n" + _(
        "You can also type an application's code to open it, “tìm” and a name, ID or phone number to search, "
        "or “báo cáo” for the report."
    )
    if is_monitor(official):
        text = _("Monitoring (read only): you can view everything in your area and change nothing.") + "\n" + text
    turn.say(f"{intro}\n\n{text}" if intro else text, rows)


async def list_applications(turn: Turn, official: Official, which: str, page_no: int) -> None:
    """One page of a list, paged in SQL: an area can hold hundreds of thousands of applications."""
    today = fmt.today_local(turn.now)
    condition = lookups.list_filter(which, today, turn.config.due_soon_working_days)
    if condition is None:
        await home(turn, official)
        return
    total, page_no, items = await lookups.area_page(turn.session, official, condition, page_no, PER_PAGE)
    page_count = max(1, -(-total // PER_PAGE))
    titles = {lookups.OVERDUE: _("Overdue"), lookups.DUE_SOON: _("Due soon")}
    title = titles.get(which) or vocabulary.status_label(which)
    rows = [[Button(row_label(a, today), actions.OF_OPEN.pack(a.id))] for a in items]
    nav = []
    if page_no > 1:
        nav.append(Button(_("‹ Previous"), actions.OF_LIST.pack(which, page_no - 1)))
    if page_no < page_count:
        nav.append(Button(_("Next ›"), actions.OF_LIST.pack(which, page_no + 1)))
    if nav:
        rows.append(nav)
    rows.append([Button(_("« Officials' menu"), "of")])
    turn.say(
        _("{title}: {count} application(s), page {page}/{pages}.").format(
            title=title, count=total, page=page_no, pages=page_count
        ),
        rows,
    )


def row_label(application: Application, today: date) -> str:
    flag = "⚠️ " if deadlines.overdue(application, today) else ""
    return f"{flag}{app_code.display(application.code)} – {application.full_name}"[:60]


# ---- one application ------------------------------------------------------------------------
async def show_application(turn: Turn, official: Official, application: Application) -> None:
    protector = turn.services.protector
    person = review.shown_person(application, protector, masked=is_monitor(official))
    id_number, account, phone, born = person.id_number, person.account, person.phone, person.born
    commune = admin_units.get(AreaLevel.COMMUNE, application.commune_code)
    fields = person.fields
    lines = [
        f"{app_code.display(application.code)} – {vocabulary.status_label(application.status)}",
        _("Name: {name}").format(name=application.full_name),
        _("Date of birth: {date}").format(date=fmt.day(born) if born else "–"),
        _("ID number: {number}").format(number=id_number),
        _("Phone: {phone}").format(phone=phone),
        _("Area: {place}").format(place=commune.full_name if commune else application.commune_code),
    ]
    if application.sex in ("male", "female"):
        lines.append(_("Sex: {sex}").format(sex=intake.show_sex(application.sex, {})))
    lines += _form_lines(application.kind, fields)
    if application.period_start and application.period_end:
        lines.append(
            _("Period: {start} – {end}").format(
                start=fmt.day(application.period_start), end=fmt.day(application.period_end)
            )
        )
    if application.payment_method == "bank":
        lines.append(
            _("Bank: {bank}, account {account}, holder {holder}").format(
                bank=application.bank_name, account=account, holder=application.account_holder
            )
        )
    else:
        lines.append(_("Payment: cash at the commune"))
    if application.estimated_amount:
        lines.append(_("Requested amount: {amount}").format(amount=fmt.vnd(application.estimated_amount)))
    files = await lookups.attachment_count(turn.session, application)
    if files:
        lines.append(_("Documents sent: {n}").format(n=files))
    if application.assisted_by is not None:
        assistant = await turn.session.get(Official, application.assisted_by)
        who = _(vocabulary.ROLE_LABELS.get(assistant.role, assistant.role)) if assistant else "?"
        if assistant is not None and assistant.name:
            who = f"{assistant.name}, {who}"
        lines.append(_("Registered on the citizen's behalf by {who}; consent given in person.").format(who=who))
        if application.linked_at is None:
            lines.append(_("The citizen has not linked a chat of their own yet."))
    if application.duplicate_note:
        lines.append("⚠️ " + application.duplicate_note)
    same_person = await duplicates.matches(turn.session, application)
    lines += duplicates.view_lines(same_person)
    if application.info_request:
        lines.append(_("Open question: “{question}”").format(question=application.info_request))
    answer = await lookups.last_citizen_answer(turn.session, application)
    if answer is not None:
        lines.append(
            _("The citizen's answer ({date}): “{answer}”").format(
                date=fmt.day(answer.at), answer=note_of(answer, turn.services.protector) or ""
            )
        )
    if application.decision_number and application.decision_date:
        lines.append(
            _("Decision: {number} of {date}").format(
                number=application.decision_number, date=fmt.day(application.decision_date)
            )
        )
    paid = await lookups.paid_total(turn.session, application)
    if paid:
        lines.append(_("Paid: {amount}").format(amount=fmt.vnd(paid)))
        lines += payment_confirm.view_lines(await confirmations.answers_of(turn.session, application.id))
    late = deadlines.overdue(application, fmt.today_local(turn.now))
    if late == "review":
        lines.append("⚠️ " + _("Review overdue (due {date})").format(date=fmt.day(deadlines.review_due(application))))
    elif late == "payment":
        due = deadlines.payment_due(application)
        lines.append("⚠️ " + _("Payment overdue (due {date})").format(date=fmt.day(due) if due else "–"))
    lookups.audit_view(turn.session, actor(official), "view", application, turn.now)
    rows = _action_rows(official, application)
    rows += [
        [_open_button(m.application)]
        for m in same_person[: duplicates.MAX_LISTED]
        if covers(official, m.application)  # the other commune's application only for who may see it
    ]
    rows.append([Button(_("🕓 History"), actions.OF_HISTORY.pack(application.id))])
    rows.append([Button(_("« Officials' menu"), "of")])
    turn.goto(CoreState.MENU, {VIEWED: application.id})
    turn.say("\n".join(lines), rows)


def _action_rows(official: Official, application: Application) -> list[list[Button]]:
    """The decisions the application can take now, for an official who may record them."""
    return [
        [Button(_(label), actions.OF_CHANGE.pack(application.id, target))]
        for target, label in ACTION_LABELS.items()
        if lifecycle.can_move(application, target) and may_change(official)
    ]


def ask_which_decision(turn: Turn, official: Official, application: Application, deleting: bool = False) -> None:
    """ "ok", "xác nhận" typed on the open application: which decision, since none is named; "xóa hồ sơ này": no
    application is deleted (each stays for the checks and the audit), and the decisions that end one."""
    rows = _action_rows(official, application)
    head = _("Application {code} is “{status}”.").format(
        code=app_code.display(application.code), status=vocabulary.status_label(application.status)
    )
    if deleting:
        head = (
            _(
                "Applications are not deleted: each is kept for the checks and the audit. To end one, record "
                "“Từ chối” with its reason; the citizen may withdraw it themselves before it is approved."
            )
            + " "
            + head
        )
    if rows:
        head += " " + _(
            "To record a decision, press one of the buttons below, or type it, e.g. “chuyển huyện”, "
            "“từ chối vì …”, “yêu cầu bổ sung …”."
        )
    turn.say(head, [*rows, [Button(_("« Officials' menu"), "of")]])


async def typed_action(
    turn: Turn, official: Official, application: Application, target: str, typed: dict[str, str] | None = None
) -> None:
    """An action typed on the open application: that button when it has it (with the answers typed with it,
    `typed`, already given); else what it can do now."""
    if lifecycle.can_move(application, target) or not may_change(official):
        await start_change(turn, official, application, target, typed)
        return
    possible = [_(label) for status, label in ACTION_LABELS.items() if lifecycle.can_move(application, status)]
    turn.say(
        _("Application {code} is “{status}”: “{action}” is not possible at this step.").format(
            code=app_code.display(application.code),
            status=vocabulary.status_label(application.status),
            action=_(ACTION_LABELS[target]),
        )
        + " "
        + (
            _("Possible now: {actions}.").format(actions=", ".join(possible))
            if possible
            else _("Nothing is left to do on it.")
        )
    )
    await show_application(turn, official, application)


def _open_button(application: Application) -> Button:
    return Button(
        _("Open {code}").format(code=app_code.display(application.code)), actions.OF_OPEN.pack(application.id)
    )


async def show_history(turn: Turn, official: Official, application: Application) -> None:
    """The application's audit trail: every change, when, by whom (officials by name and role), with its note."""
    lines = [_("History of application {code}:").format(code=app_code.display(application.code))]
    events = await lookups.history(turn.session, application)
    labels = await review.actor_labels(turn.session, (e.actor for e in events))
    for event in events:
        who = labels[event.actor]
        change = vocabulary.status_label(event.to_status)
        if event.from_status in vocabulary.STATUS_LABELS:
            change = f"{vocabulary.status_label(event.from_status)} → {change}"
        text = note_of(event, turn.services.protector)
        note = f" – {text}" if text else ""
        lines.append(f"• {fmt.moment(event.at)}: {change} ({who}){note}")
    lookups.audit_view(turn.session, actor(official), "view", application, turn.now)
    text = "\n".join(lines)
    turn.say(
        text if len(text) <= 4000 else text[:3999] + "…",
        [
            [Button(_("« Back to the application"), actions.OF_OPEN.pack(application.id))],
            [Button(_("« Officials' menu"), "of")],
        ],
    )


MONITOR_REFUSAL = N_("As a monitor you can view applications but not change anything.")


def _form_lines(kind: str, fields: dict[str, Any]) -> list[str]:
    """The form's own answers, each with the label the citizen saw (choices shown as their labels)."""
    form_ids: dict[str, str] = {ApplicationKind.HOUSEHOLD_BUSINESS: "hkd", ApplicationKind.FREE_WORKER: "ldtd"}
    form = intake.FORMS.get(form_ids.get(kind, ""))
    if form is None:
        return [f"• {key}: {value}" for key, value in fields.items() if value]
    lines = []
    for form_field in form.fields:
        value = fields.get(form_field.key)
        if value in (None, "", "other") or form_field.kind == "photo" or form_field.key == "place":
            continue  # 'place' is the application's area, shown above
        if form_field.kind == "unit" and not isinstance(value, dict):
            continue
        lines.append(f"• {_(form_field.label)}: {forms.display_value(form_field, fields)}")
    return lines


# ---- changes: a small form per target, then a summary to confirm -------------------------------
def _note(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return clean_text(text, max_len=1000)


def _reason(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return reasons.typed_reason(text)


def _reasons(turn: Turn) -> tuple[Choice, ...]:
    return reasons.rejection_reasons(turn.data.get("kind", ""))


def _short(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return clean_text(text, max_len=64)


def _day(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    today = fmt.today_local(turn.now)
    result = parse_date(text, latest=today, today=today)  # "hôm nay", "hôm qua" too
    return Valid(result.value.isoformat()) if isinstance(result, Valid) else result


def _decision_day(text: str, answers: Answers, turn: Turn) -> Result[Any]:
    return _ordered_day(text, answers, turn, "decision_date")


def _paid_day(text: str, answers: Answers, turn: Turn) -> Result[Any]:
    return _ordered_day(text, answers, turn, "paid_on")


def _ordered_day(text: str, answers: Answers, turn: Turn, key: str) -> Result[Any]:
    """A date not before the application was filed (a decision) or decided (a payment)."""
    result = _day(text, answers, turn)
    if not isinstance(result, Valid):
        return result
    day = date.fromisoformat(result.value)
    filed, decided = turn.data.get("filed_on"), turn.data.get("decided_on")
    problem = lifecycle.date_problem(
        date.fromisoformat(filed) if filed else None,
        date.fromisoformat(decided) if decided else None,
        **{key: day},
    )
    return Invalid(problem + " " + _("Please type the date again (dd/mm/yyyy)."), key) if problem else result


def _amount(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.money_vnd(text)


def _show_day(value: str, _answers: Answers) -> str:
    return fmt.day(date.fromisoformat(value))


def _show_amount(value: int, _answers: Answers) -> str:
    return fmt.vnd(value)


CHANGE_FIELDS: dict[str, list[Field]] = {
    ApplicationStatus.UNDER_REVIEW: [],
    ApplicationStatus.FORWARDED: [],
    ApplicationStatus.NEEDS_INFO: [
        Field("note", N_("Question to the citizen"), N_("What should the citizen add or clarify?"), parse=_note)
    ],
    ApplicationStatus.REJECTED: [
        Field(
            "note",
            N_("Reason"),
            N_(
                "Why is the application rejected? Choose the condition not met, or type the reason: "
                "the citizen reads it."
            ),
            parse=_reason,
            choices=_reasons,
        )
    ],
    ApplicationStatus.APPROVED: [
        Field(
            "decision_number",
            N_("Decision number"),
            N_("Number of the approval decision (e.g. 1234/QĐ-UBND)."),
            parse=_short,
        ),
        Field(
            "decision_date",
            N_("Decision date"),
            N_("Date of the decision (dd/mm/yyyy), or “hôm nay”."),
            parse=_decision_day,
            show=_show_day,
        ),
        Field(
            "amount",
            N_("Approved amount"),
            N_("Approved amount in đồng (e.g. 3.000.000)."),
            parse=_amount,
            show=_show_amount,
        ),
    ],
    ApplicationStatus.PAID: [
        Field(
            "amount", N_("Amount paid"), N_("Amount paid in đồng (e.g. 3.000.000)."), parse=_amount, show=_show_amount
        ),
        Field(
            "paid_on",
            N_("Payment date"),
            N_("Date of payment (dd/mm/yyyy), or “hôm nay”."),
            parse=_paid_day,
            show=_show_day,
        ),
        Field(
            "method",
            N_("Method"),
            N_("How was it paid?"),
            choices=(Choice(N_("Cash at the commune"), "cash"), Choice(N_("Bank transfer"), "bank")),
        ),
        Field("reference", N_("Reference"), N_("Receipt or transfer reference, if any."), parse=_short, optional=True),
    ],
}


async def apply_change(turn: Turn, answers: Answers) -> None:
    official = gated_official(turn)  # the form's state is gated (change_state)
    if not may_change(official):
        await home(turn, official, _(MONITOR_REFUSAL))
        return
    target = turn.data["target"]
    application = await _application(turn, official, turn.data["app_id"])
    if application is None:
        return
    if not lifecycle.can_move(application, target):  # someone else moved it meanwhile
        await home(
            turn,
            official,
            _("The application is now “{status}”; nothing was changed.").format(
                status=vocabulary.status_label(application.status)
            ),
        )
        return
    payment = None
    if target == ApplicationStatus.PAID:
        payment = lifecycle.PaymentInfo(
            answers["amount"], date.fromisoformat(answers["paid_on"]), answers["method"], answers.get("reference")
        )
    await review.change(
        turn.session,
        application,
        target,
        turn,
        actor=actor(official),
        now=turn.now,
        protector=turn.services.protector,
        note=answers.get("note"),
        decision_number=answers.get("decision_number"),
        decision_date=date.fromisoformat(answers["decision_date"]) if answers.get("decision_date") else None,
        amount=answers.get("amount") if target == ApplicationStatus.APPROVED else None,
        payment=payment,
    )
    await home(
        turn,
        official,
        _("Application {code} is now “{status}”. The citizen has been notified.").format(
            code=app_code.display(application.code), status=vocabulary.status_label(target)
        ),
    )


def _change_header(turn: Turn) -> list[str]:
    data = turn.data
    if not data.get("code"):  # a change started before the header was kept in the data
        return []
    lines = [
        _("Application: {code} – {name}").format(code=app_code.display(data.get("code", "")), name=data.get("name", ""))
    ]
    if data.get("from") in vocabulary.STATUS_LABELS and data.get("target") in vocabulary.STATUS_LABELS:
        lines.append(
            _("Status: {before} → {after}").format(
                before=vocabulary.status_label(data["from"]), after=vocabulary.status_label(data["target"])
            )
        )
    return lines


FORMS = {
    target: Form(
        fields,
        apply_change,
        summary_intro=N_("Please check this change before it is recorded:"),
        confirm_label=N_("✅ Confirm the change"),
        confirm_hint=N_("Press “Confirm the change” to record it; the citizen is then notified."),
        edit_label=N_("✏️ Correct the details"),
        summary_header=_change_header,
    )
    for target, fields in CHANGE_FIELDS.items()
}


CHANGE_STATES: dict[str, str] = {target: f"of.{target}" for target in CHANGE_FIELDS}  # one form per target
STATE_FORMS: dict[str, Form] = {CHANGE_STATES[target]: form for target, form in FORMS.items()}


def _prefill(target: str, application: Application, turn: Turn) -> dict[str, Any]:
    """Sensible defaults the official can still edit from the summary."""
    if target == ApplicationStatus.PAID:
        return {
            "amount": application.approved_amount or application.estimated_amount,
            "paid_on": fmt.today_local(turn.now).isoformat(),
            "method": application.payment_method,
        }
    if target == ApplicationStatus.APPROVED and application.estimated_amount:
        return {"amount": application.estimated_amount}
    return {}


async def start_change(
    turn: Turn, official: Official, application: Application, target: str, typed: dict[str, str] | None = None
) -> None:
    """The change's form; `typed`: its answers typed with the action ("từ chối … vì …": the reason), each
    checked as if typed at its step (one that does not pass is asked for as usual)."""
    if not may_change(official):
        await home(turn, official, _(MONITOR_REFUSAL))
        return
    if target not in FORMS or not lifecycle.can_move(application, target):
        await show_application(turn, official, application)
        return
    answers = {k: v for k, v in _prefill(target, application, turn).items() if v is not None}
    turn.goto(
        CHANGE_STATES[target],
        {
            "app_id": application.id,
            "target": target,
            "code": application.code,
            "kind": application.kind,  # the refusal's reasons are its policy's conditions
            "name": application.full_name,
            "from": application.status,
            # the dates a decision or payment may not precede (checked at their step)
            "filed_on": filed.isoformat() if (filed := lifecycle.filed_on(application)) else None,
            "decided_on": application.decision_date.isoformat() if application.decision_date else None,
            "answers": answers,
            "history": [],
        },
    )
    for form_field in CHANGE_FIELDS[target]:  # after goto: a date's check reads the form's filed_on
        said = (typed or {}).get(form_field.key)
        result = form_field.parse(said, answers, turn) if said is not None and form_field.parse else None
        if isinstance(result, Valid):
            answers[form_field.key] = result.value
            turn.data["history"].append(form_field.key)
    turn.say(
        _("Application {code}: {action}.").format(
            code=app_code.display(application.code), action=_(ACTION_LABELS[target])
        )
    )
    await forms.ask(turn, FORMS[target])


# ---- routing ---------------------------------------------------------------------------------
async def on_action(turn: Turn, official: Official) -> None:
    """'of' home, 'of:l:<status>[:<page>]' list, 'of:o:<id>' open, 'of:t:<id>:<target>' change."""
    parts = turn.action_arg.split(":") if turn.action_arg else []
    if not parts:
        await home(turn, official)
    elif parts[0] == "l" and len(parts) >= 2:
        page_no = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 1
        await list_applications(turn, official, parts[1], page_no)
    elif parts[0] in ("o", "t", "h") and len(parts) >= 2:
        application = await _application(turn, official, parts[1])
        if application is None:
            return
        if parts[0] == "o":
            await show_application(turn, official, application)
        elif parts[0] == "h":
            await show_history(turn, official, application)
        else:
            await start_change(turn, official, application, parts[2] if len(parts) > 2 else "")
    else:
        await home(turn, official)


async def change_state(turn: Turn, official: Official) -> None:
    form = STATE_FORMS.get(turn.state)
    if form is None:
        await show_menu(turn)
        return
    if not may_change(official):
        await home(turn, official, _(MONITOR_REFUSAL))
        return
    await forms.handle(turn, form)


async def change_ask(turn: Turn) -> None:
    form = STATE_FORMS.get(turn.state)
    if form is None:
        await show_menu(turn)
        return
    await forms.ask(turn, form)


async def officials_command(turn: Turn, official: Official) -> None:
    await home(turn, official)


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("Officials: applications in my area"), "of", officials_only=True)
router.command("/canbo", "/officials")(officials_only(officials_command))
router.action("of")(officials_only(on_action))
# An official removed while filling in a change just gets the main menu.
router.state("of", ask=change_ask)(officials_only(change_state, refusal=show_menu))
