"""The eligibility questionnaire: a few questions, then what the person may receive and what to do.

The rules themselves are in handlers/ask/eligibility_rules.py; this module asks and explains.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from handlers import forms
from handlers.ask.eligibility_rules import (
    Assessment,
    CovidStatus,
    EmployeeSituation,
    Group,
    PolicyId,
    Profile,
    evaluate,
    policy_title,
)
from handlers.ask.questions.facts import Who, who
from handlers.ask.questions.verdict import only_worker_situation
from handlers.forms import Answers, Choice, Field, Form
from handlers.intents import typed_question
from handlers.router import Router
from handlers.turn import CARRIED, Button, CoreState, Turn
from handlers.validators import Invalid, Result, Valid, length_in_days, parse_date, says_none
from messages import fmt
from messages.i18n import N_, _
from messages.normalize import words
from messages.vocabulary import ApplicationKind

CHECK_STATE = "elig"  # answering the eligibility questions (one form)

YES, NO = Choice(N_("Yes"), "yes"), Choice(N_("No"), "no")
YES_NO = (YES, NO)
YES_NO_UNSURE = (YES, NO, Choice(N_("Not sure"), "unsure"))
INTAKE: dict[str, str] = {ApplicationKind.HOUSEHOLD_BUSINESS: "apply:hkd", ApplicationKind.FREE_WORKER: "apply:ldtd"}
_FORM_OF_GROUP: dict[str, str] = {Group.HOUSEHOLD_BUSINESS: "hkd", Group.FREE_WORKER: "ldtd"}
MAX_MESSAGE = 3500  # well under Telegram's 4096 characters


def _group(*groups: Group) -> Any:
    return lambda a: a.get("group") in {g.value for g in groups}


def _situation_known(a: Answers) -> bool:
    return a.get("group") != Group.EMPLOYEE_SI or "situation" in a


def _has_period(a: Answers) -> bool:
    return a.get("group") in {Group.EMPLOYEE_SI, Group.HOUSEHOLD_BUSINESS, Group.ARTS_EMPLOYEE, Group.FREE_WORKER}


def _has_end(a: Answers) -> bool:
    # Without its start (not remembered), an end says nothing of the days.
    return _has_period(a) and a.get("situation") != EmployeeSituation.TERMINATED_NO_UI_BENEFIT and bool(a.get("start"))


def _covid_cause(a: Answers) -> bool:
    return a.get("group") in {Group.EMPLOYEE_SI, Group.HOUSEHOLD_BUSINESS, Group.ARTS_EMPLOYEE}


def _family(a: Answers) -> bool:
    return a.get("situation") in {
        EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE,
        EmployeeSituation.TERMINATED_NO_UI_BENEFIT,
    }


def _covid(a: Answers) -> bool:
    return a.get("covid") in {CovidStatus.F0, CovidStatus.F1}


def _today(turn: Turn) -> date:
    return turn.config.as_of_date or fmt.today_local(turn.now)


def _any_date(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    result = parse_date(text, default_year=2021, today=_today(turn))  # "hôm nay", "hôm qua" too
    return Valid(result.value.isoformat()) if isinstance(result, Valid) else result


def _end_date(start_key: str) -> forms.Parser:
    def parse(text: str, answers: Answers, turn: Turn) -> Result[Any]:
        result = parse_date(text, default_year=2021, today=_today(turn), until_now=True)
        if isinstance(result, Invalid):
            return result
        start = answers.get(start_key)
        if start and result.value.isoformat() < start:
            return Invalid(_("The end date cannot be before the start date."), "order")
        return Valid(result.value.isoformat())

    return parse


def _days(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    days = length_in_days(text)  # "14", "14 ngày", "2 tuần"
    if days is None or not 1 <= days <= 365:
        return Invalid(_("Please type the number of days as a number, e.g. 14."), "days")
    return Valid(days)


_CHILDREN = (Choice("0", "0"), Choice("1", "1"), Choice("2", "2"), Choice("3+", "3"))
_COUNT_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5}
# "2 đứa", "hai bé", "1 đứa 3 tuổi" (folded): the number first, then what is counted, then anything.
_COUNTED = re.compile(r"^(?:co\s+)?(\d+|mot|hai|ba|bon|nam)(?:\s+(?:dua|con|be|chau|em|nhoc|dua nho))?\b")


def _children(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    """A button's label typed, or the number in words: "2 đứa", "hai", "không có con" (0), "4 bé" (3 or more)."""
    typed = forms.typed_choice(text, _CHILDREN)
    if isinstance(typed, Valid):
        return typed
    said = " ".join(words(text))
    if says_none(text) or re.fullmatch(r"(?:khong|chua)(?: co)?(?: (?:con|dua nao|be nao|chau nao))?", said):
        return Valid("0")
    m = _COUNTED.match(said)
    if m is None:
        return typed
    count = int(m[1]) if m[1].isdigit() else _COUNT_WORDS[m[1]]
    return Valid(str(min(count, 3)))


GROUPS = (
    Choice(N_("Employee with compulsory social insurance"), Group.EMPLOYEE_SI),
    Choice(N_("Free worker (no labour contract)"), Group.FREE_WORKER),
    Choice(N_("Household business"), Group.HOUSEHOLD_BUSINESS),
    Choice(N_("Performing-arts public employee"), Group.ARTS_EMPLOYEE),
    Choice(N_("Tour guide"), Group.TOUR_GUIDE),
    Choice(N_("None of these"), Group.NONE),
)
# The group a typed situation names ("tôi bán vé số dạo", "em mở tiệm tạp hóa"), as free text reads it.
_WHO_GROUP = {
    Who.FREE_WORKER: Group.FREE_WORKER,
    Who.HOUSEHOLD_BUSINESS: Group.HOUSEHOLD_BUSINESS,
    Who.TOUR_GUIDE: Group.TOUR_GUIDE,
    Who.ARTIST: Group.ARTS_EMPLOYEE,
    Who.EMPLOYEE_SI: Group.EMPLOYEE_SI,
}


def _typed_or_said(choices: tuple[Choice, ...], read: Callable[[str], Any], values: Mapping[Any, str]) -> forms.Parser:
    """A button's label typed, or the choice the person's own words name (`read`, its value in `values`):
    "tôi làm công nhân có bảo hiểm" for the group, "bị cho nghỉ ko lương" for what happened."""

    def parse(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
        typed = forms.typed_choice(text, choices)
        if isinstance(typed, Valid):
            return typed
        found = read(text)
        return Valid(values[found]) if found in values else typed

    return parse


_SITUATION_OF = {
    PolicyId.SUSPENSION: EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE,
    PolicyId.WORK_STOPPAGE: EmployeeSituation.WORK_STOPPAGE,
    PolicyId.TERMINATION: EmployeeSituation.TERMINATED_NO_UI_BENEFIT,
}


def _occupation_prompt(answers: Answers, turn: Turn) -> dict[str, str]:
    return {"occupations": "\n".join(f"• {name}" for name in turn.config.free_worker.occupations)}


def _start_prompt(answers: Answers, _turn: Turn) -> dict[str, str]:
    """The first date in the group's own words: a closure's start, a contract's end, else a situation's start."""
    if answers.get("group") == Group.HOUSEHOLD_BUSINESS:
        return {"question": _("From which date did the business have to stop? (dd/mm/yyyy)")}
    if answers.get("situation") == EmployeeSituation.TERMINATED_NO_UI_BENEFIT:
        return {"question": _("On which date did the contract end? (dd/mm/yyyy)")}
    if answers.get("group") == Group.FREE_WORKER:
        return {"question": _("Since which date have you been without work and income? (dd/mm/yyyy)")}
    return {"question": _("From which date? (dd/mm/yyyy)")}


SITUATIONS = (
    Choice(N_("Labour contract suspended or unpaid leave"), EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE),
    Choice(N_("Work stoppage (ngừng việc)"), EmployeeSituation.WORK_STOPPAGE),
    Choice(N_("Contract ended, not eligible for unemployment benefit"), EmployeeSituation.TERMINATED_NO_UI_BENEFIT),
)

QUESTIONS = [
    Field(
        "group",
        N_("Group"),
        N_("Which describes you best?"),
        choices=GROUPS,
        parse=_typed_or_said(GROUPS, who, _WHO_GROUP),
    ),
    Field(
        "situation",
        N_("Situation"),
        N_("What happened to your work?"),
        when=_group(Group.EMPLOYEE_SI),
        choices=SITUATIONS,
        parse=_typed_or_said(SITUATIONS, only_worker_situation, _SITUATION_OF),
    ),
    Field(
        "start",
        N_("From"),
        "{question}",
        parse=_any_date,
        when=lambda a: _has_period(a) and _situation_known(a),
        prompt_args=_start_prompt,
        optional=True,  # "không nhớ": the answer says what the date decides
    ),
    Field(
        "end",
        N_("Until"),
        N_("Until which date? (dd/mm/yyyy) Press “Skip” if it is still going on."),
        parse=_end_date("start"),
        when=_has_end,
        optional=True,
    ),
    Field(
        "cause",
        N_("Because of COVID-19 measures"),
        N_("Was it because of COVID-19 measures (an authority's order, isolation, lockdown, a Directive 16 area)?"),
        choices=YES_NO_UNSURE,
        when=_covid_cause,
    ),
    Field(
        "registered",
        N_("Registered"),
        N_(
            "Is the business registered, in the tax office's directory, or a street "
            "vendor, mobile/seasonal trader or low-income service?"
        ),
        choices=YES_NO_UNSURE,
        when=_group(Group.HOUSEHOLD_BUSINESS),
    ),
    Field(
        "listed",
        N_("Listed occupation"),
        N_("Was your work one of these?\n{occupations}"),
        choices=YES_NO_UNSURE,
        when=_group(Group.FREE_WORKER),
        prompt_args=_occupation_prompt,
    ),
    Field(
        "resident",
        N_("Resident"),
        N_("Do you legally reside (permanent or temporary residence) in this province?"),
        choices=YES_NO_UNSURE,
        when=_group(Group.FREE_WORKER),
    ),
    Field(
        "card",
        N_("Tour guide card"),
        N_("Do you hold a valid tour guide card?"),
        choices=YES_NO_UNSURE,
        when=_group(Group.TOUR_GUIDE),
    ),
    Field(
        "contract",
        N_("Contract or association"),
        N_("Do you have a contract with a travel business, or are you a member of a tour guide association?"),
        choices=YES_NO_UNSURE,
        when=_group(Group.TOUR_GUIDE),
    ),
    Field("pregnant", N_("Pregnant"), N_("Are you pregnant?"), choices=YES_NO, when=_family),
    Field(
        "children",
        N_("Children under 6"),
        N_("How many children under 6 do you raise (own, adopted or in your care)?"),
        choices=_CHILDREN,
        parse=_children,
        when=_family,
    ),
    Field(
        "covid",
        N_("COVID-19"),
        N_("Were you treated for COVID-19 (F0) or in medical isolation (F1) in 2021?"),
        choices=(
            Choice(N_("Treated (F0)"), CovidStatus.F0),
            Choice(N_("Isolated (F1)"), CovidStatus.F1),
            Choice(N_("Neither"), CovidStatus.NONE),
        ),
    ),
    Field(
        "covid_start",
        N_("Treatment/isolation from"),
        N_("From which date was the treatment or the isolation? (dd/mm/yyyy)"),
        parse=_any_date,
        when=_covid,
    ),
    Field("covid_days", N_("Days"), N_("For how many days in total?"), parse=_days, when=_covid),
    Field(
        "child", N_("Under 16"), N_("Is the person treated or isolated a child under 16?"), choices=YES_NO, when=_covid
    ),
    Field(
        "elderly",
        N_("Elderly or severe disability"),
        N_("Is the person elderly or living with a severe disability?"),
        choices=YES_NO,
        when=lambda a: _covid(a) and a.get("child") == "no",
    ),
    Field(
        "received",
        N_("Already received"),
        N_("Have you already received a one-time cash support under Resolution 68 (other than for children or F0/F1)?"),
        choices=YES_NO,
    ),
]


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def profile_from(answers: Answers) -> Profile:
    def day(key: str) -> date | None:
        return date.fromisoformat(answers[key]) if answers.get(key) else None

    group = Group(answers["group"])
    return Profile(
        group=group,
        employee_situation=EmployeeSituation(answers["situation"]) if answers.get("situation") else None,
        situation_start=day("start"),
        situation_end=day("end"),
        due_to_covid_measures=_bool(answers.get("cause")),
        has_tour_guide_card=_bool(answers.get("card")),
        tour_guide_contract_or_association=_bool(answers.get("contract")),
        has_registration_or_nq126_category=_bool(answers.get("registered")),
        in_listed_occupation=_bool(answers.get("listed")),
        resides_in_province=_bool(answers.get("resident")),
        covid_status=CovidStatus(answers.get("covid", CovidStatus.NONE)),
        covid_start=day("covid_start"),
        covid_days=answers.get("covid_days"),
        is_child_under_16=answers.get("child") == "yes",
        is_elderly_or_severe_disability=answers.get("elderly") == "yes",
        pregnant=answers.get("pregnant") == "yes",
        children_under_6=int(answers.get("children") or 0),
        received_one_time_cash=answers.get("received") == "yes",
    )


def render(assessment: Assessment) -> list[str]:
    """The result as chat messages, each within the size limit."""
    parts: list[str] = []
    if assessment.entitlements:
        parts.append(_("Based on your answers, you may be entitled to:"))
    else:
        parts.append(_("Based on your answers, none of the individual support policies seems to apply to you."))
    for item in assessment.entitlements:
        if item.amount_vnd is None:
            amount = _("amount set by the local authority")
        elif item.confirmed_amount:
            amount = fmt.vnd(item.amount_vnd)
        else:
            # An UNCONFIRMED figure is never stated (policy-facts §3.7, §12).
            amount = _("amount not confirmed yet, ask the receiving office")
        head = ("✅ " if not item.hedged else "❔ ") + f"{policy_title(item.policy_id)}: {amount}"
        lines = [head, *(f"  – {line}" for line in item.breakdown), "  ➜ " + item.next_step]
        if item.hedged:
            lines.append("  " + _("Some conditions must still be confirmed by the authority handling the case."))
        parts.append("\n".join(lines))
    if assessment.total_confirmed_vnd:
        parts.append(
            _("Total of the confirmed amounts: {amount}").format(amount=fmt.vnd(assessment.total_confirmed_vnd))
        )
    if assessment.ineligible:
        lines = [_("Not applicable to you:")]
        lines += [f"✗ {policy_title(r.policy_id)}: {r.text}" for r in assessment.ineligible]
        parts.append("\n".join(lines))
    parts.append(_("This is guidance only: the competent authority decides after checking your documents."))
    messages: list[str] = []
    for part in parts:
        if messages and len(messages[-1]) + len(part) + 2 <= MAX_MESSAGE:
            messages[-1] += "\n\n" + part
        else:
            messages.append(part[:MAX_MESSAGE])
    return messages


async def show_result(turn: Turn, answers: Answers) -> None:
    today = _today(turn)
    assessment = evaluate(profile_from(answers), turn.config.free_worker, today=today)
    texts = render(assessment)
    rows = [
        [Button(_("Apply now: {policy}").format(policy=policy_title(item.policy_id)), INTAKE[item.policy_id])]
        for item in assessment.entitlements
        if item.policy_id in INTAKE
    ]
    rows += [[Button(_("Check again"), "elig")], [Button(_("« Main menu"), "menu")]]
    turn.goto(CoreState.MENU, {})
    carried = carried_facts(answers)
    if carried is not None:
        turn.data[CARRIED] = carried
    for text in texts[:-1]:
        turn.say(text)
    turn.say(texts[-1], rows)


def carried_facts(answers: Answers) -> dict[str, str] | None:
    """The group (as the form it leads to) and the dates of a household business or a free worker."""
    form = _FORM_OF_GROUP.get(answers.get("group") or "")
    if form is None:
        return None
    facts = {"form": form, "group": answers["group"]}
    facts.update({key: answers[key] for key in ("start", "end") if answers.get(key)})
    return facts


FORM = Form(QUESTIONS, show_result, review=False)


async def start(turn: Turn) -> None:
    turn.goto(CHECK_STATE, forms.start_data())
    turn.say(_("Let's find out which support you may receive. Answer a few short questions; press “Cancel” to stop."))
    await forms.ask(turn, FORM)


async def handle(turn: Turn) -> None:
    await forms.handle(turn, FORM)


async def ask(turn: Turn) -> None:
    await forms.ask(turn, FORM)


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("What support can I get?"), "elig")
router.action("elig")(start)
router.state(CHECK_STATE, ask=ask, questions=typed_question)(handle)
