"""Eligibility rules (handlers/ask/eligibility_rules.py): every rule and boundary.

Assertions are on amounts, policy ids, reason codes and structure; the Vietnamese text is
checked against the Vietnamese catalog (messages/locale/vi/LC_MESSAGES/hotro.po).
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import handlers.ask.eligibility_rules as rules
from handlers.ask.eligibility_rules import (
    Assessment,
    CovidStatus,
    EmployeeSituation,
    Episode,
    Group,
    PolicyId,
    Profile,
    ReasonCode,
    evaluate,
    one_month_end,
)
from messages.fmt import vnd
from messages.free_worker_scheme import FreeWorkerScheme

TODAY = date(2021, 12, 1)  # before the 31/01/2022 filing deadline
SUSP = EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE
STOP = EmployeeSituation.WORK_STOPPAGE
TERM = EmployeeSituation.TERMINATED_NO_UI_BENEFIT
EMPLOYER_SIDE = {PolicyId.TNLD_BNN, PolicyId.PENSION_PAUSE, PolicyId.TRAINING, PolicyId.WAGE_LOAN}
ROOT = Path(__file__).resolve().parent.parent
PENDING_PO = ROOT / "messages/locale/vi/LC_MESSAGES/hotro.po"
MODULE = ROOT / "handlers/ask/eligibility_rules.py"


def d(day: int, month: int, year: int = 2021) -> date:
    return date(year, month, day)


def employee(
    situation: EmployeeSituation,
    start: date | None = None,
    end: date | None = None,
    days: int | None = None,
    **kw: object,
) -> Profile:
    kw.setdefault("due_to_covid_measures", True)
    return Profile(
        group=Group.EMPLOYEE_SI,
        employee_situation=situation,
        situation_start=start,
        situation_end=end,
        days_suspended=days,
        **kw,  # type: ignore[arg-type]
    )


def covid(status: CovidStatus, start: date | None, days: int | None, **kw: object) -> Profile:
    return Profile(covid_status=status, covid_start=start, covid_days=days, **kw)  # type: ignore[arg-type]


def run(profile: Profile, scheme: FreeWorkerScheme | None = None, today: date = TODAY) -> Assessment:
    return evaluate(profile, scheme, today=today)


def amount_of(a: Assessment, pid: PolicyId) -> int | None:
    e = a.get(pid)
    assert e is not None, f"{pid} not granted: {a.ineligible}"
    return e.amount_vnd


def code_of(a: Assessment, pid: PolicyId) -> ReasonCode:
    r = a.reason(pid)
    assert r is not None, f"{pid} has no reason: {a.entitlements}"
    assert a.get(pid) is None
    return r.code


def check(a: Assessment, pid: PolicyId, expected: int | ReasonCode) -> None:
    if isinstance(expected, ReasonCode):
        assert code_of(a, pid) == expected
    else:
        assert amount_of(a, pid) == expected


# --- khoản 4: suspension / unpaid leave ---------------------------------------------------------

SHORT, LONG = 1_855_000, 3_710_000


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (d(1, 7), d(14, 7), ReasonCode.TOO_SHORT),  # 14 days
        (d(1, 7), d(15, 7), SHORT),  # 15 days
        (d(1, 5), d(30, 5), SHORT),  # 30 days, one short of May
        (d(1, 5), d(31, 5), LONG),  # exactly the calendar month of May
        (d(15, 6), d(13, 7), SHORT),
        (d(15, 6), d(14, 7), LONG),  # 15/6 + 1 month - 1 day
        (d(31, 5), d(29, 6), SHORT),  # June has no 31st: must reach 30/6
        (d(31, 5), d(30, 6), LONG),
        (d(30, 4), d(31, 5), ReasonCode.OUTSIDE_WINDOW),
        (d(31, 12), d(20, 1, 2022), ReasonCode.TOO_SHORT),  # only 1 day inside the window
        (d(1, 1, 2022), d(31, 1, 2022), ReasonCode.OUTSIDE_WINDOW),
        (d(15, 12), d(31, 1, 2022), SHORT),  # 17 days counted up to 31/12, never a month
    ],
)
def test_suspension_duration_and_window(start: date, end: date, expected: int | ReasonCode) -> None:
    check(run(employee(SUSP, start, end)), PolicyId.SUSPENSION, expected)


def test_suspension_days_are_derived_and_breakdown_shows_amount() -> None:
    p = employee(SUSP, d(1, 5), d(31, 5))
    assert p.days_suspended == 31
    e = run(p).get(PolicyId.SUSPENSION)
    assert e is not None and e.confirmed_amount and not e.hedged
    assert any(vnd(LONG) in line for line in e.breakdown)
    assert "31/01/2022" in e.next_step


def test_suspension_period_past_window_end_is_hedged() -> None:
    e = run(employee(SUSP, d(15, 12), d(31, 1, 2022))).get(PolicyId.SUSPENSION)
    assert e is not None and e.hedged and e.amount_vnd == SHORT


@pytest.mark.parametrize(
    ("days", "expected"),
    [(14, ReasonCode.TOO_SHORT), (15, SHORT), (30, SHORT), (31, LONG)],
)
def test_suspension_with_day_count_only(days: int, expected: int | ReasonCode) -> None:
    a = run(employee(SUSP, days=days))
    check(a, PolicyId.SUSPENSION, expected)
    if not isinstance(expected, ReasonCode):
        assert a.get(PolicyId.SUSPENSION).hedged  # type: ignore[union-attr]  # start unknown


def test_suspension_with_start_and_days_uses_calendar_month() -> None:
    check(run(employee(SUSP, d(1, 5), days=31)), PolicyId.SUSPENSION, LONG)
    check(run(employee(SUSP, d(1, 5), days=30)), PolicyId.SUSPENSION, SHORT)


def test_suspension_without_end_counts_until_today() -> None:
    e = run(employee(SUSP, d(1, 11)), today=d(1, 12)).get(PolicyId.SUSPENSION)
    assert e is not None and e.amount_vnd == LONG and e.hedged
    # 20/11 -> 01/12 is 12 days so far: not (yet) enough.
    assert code_of(run(employee(SUSP, d(20, 11)), today=d(1, 12)), PolicyId.SUSPENSION) == ReasonCode.TOO_SHORT


def test_suspension_unknown_duration_has_no_amount() -> None:
    e = run(employee(SUSP), today=d(1, 4)).get(PolicyId.SUSPENSION)
    assert e is not None and e.amount_vnd is None and not e.confirmed_amount and e.hedged


@pytest.mark.parametrize(
    ("start", "expected_end"),
    [
        (d(1, 5), d(31, 5)),
        (d(15, 6), d(14, 7)),
        (d(30, 5), d(29, 6)),
        (d(31, 5), d(30, 6)),
        (d(1, 12), d(31, 12)),
        (d(15, 12), d(14, 1, 2022)),
        (d(31, 1), d(28, 2)),
    ],
)
def test_one_month_end(start: date, expected_end: date) -> None:
    assert one_month_end(start) == expected_end


def test_suspension_requires_compulsory_social_insurance() -> None:
    p = Profile(
        group=Group.NONE,
        employee_situation=SUSP,
        situation_start=d(1, 7),
        situation_end=d(31, 7),
        due_to_covid_measures=True,
    )
    assert code_of(run(p), PolicyId.SUSPENSION) == ReasonCode.NOT_COVERED


@pytest.mark.parametrize("situation", [SUSP, STOP, TERM])
def test_covid_cause(situation: EmployeeSituation) -> None:
    pid = {SUSP: PolicyId.SUSPENSION, STOP: PolicyId.WORK_STOPPAGE, TERM: PolicyId.TERMINATION}[situation]
    no = run(employee(situation, d(1, 7), d(31, 7), due_to_covid_measures=False))
    assert code_of(no, pid) == ReasonCode.NOT_COVID_RELATED
    unknown = run(employee(situation, d(1, 7), d(31, 7), due_to_covid_measures=None)).get(pid)
    assert unknown is not None and unknown.hedged
    yes = run(employee(situation, d(1, 7), d(31, 7))).get(pid)
    assert yes is not None and not yes.hedged


# --- khoản 5: work stoppage, khoản 11 pointer ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected", "wage_loan"),
    [
        (d(1, 7), d(13, 7), ReasonCode.TOO_SHORT, False),  # 13 days
        (d(1, 7), d(14, 7), 1_000_000, False),  # 14 days: support, but no wage loan (15)
        (d(1, 7), d(15, 7), 1_000_000, True),
        # Khoản 5 asks for 14 days inside 01/5–31/12/2021, not a start inside it: 01–31/5 are counted.
        (d(30, 4), d(31, 5), 1_000_000, True),
        (d(20, 4), d(13, 5), ReasonCode.TOO_SHORT, False),  # 13 days from 01/5
        (d(1, 4), d(30, 4), ReasonCode.OUTSIDE_WINDOW, False),
        (d(1, 5), d(14, 5), 1_000_000, False),
        (d(31, 12), d(31, 1, 2022), ReasonCode.TOO_SHORT, True),  # loan window runs to 31/3/2022
    ],
)
def test_work_stoppage(start: date, end: date, expected: int | ReasonCode, wage_loan: bool) -> None:
    a = run(employee(STOP, start, end))
    check(a, PolicyId.WORK_STOPPAGE, expected)
    assert (PolicyId.WAGE_LOAN in a.related_employer_policies) is wage_loan


# --- khoản 6: termination ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ended", "expected"),
    [
        (d(30, 4), ReasonCode.OUTSIDE_WINDOW),
        (d(1, 5), 3_710_000),
        (d(31, 12), 3_710_000),
        (d(1, 1, 2022), ReasonCode.OUTSIDE_WINDOW),
    ],
)
def test_termination_window(ended: date, expected: int | ReasonCode) -> None:
    check(run(employee(TERM, ended)), PolicyId.TERMINATION, expected)


def test_termination_without_date_is_hedged() -> None:
    e = run(employee(TERM)).get(PolicyId.TERMINATION)
    assert e is not None and e.amount_vnd == 3_710_000 and e.hedged


# --- khoản 7: pregnancy / children under 6 supplement (amount UNCONFIRMED) ----------------------


@pytest.mark.parametrize(
    ("profile", "base", "supplement"),
    [
        (employee(SUSP, d(1, 7), d(20, 7), pregnant=True), SHORT, 1_000_000),
        (employee(SUSP, d(1, 7), d(31, 7), children_under_6=2), LONG, 2_000_000),
        (employee(TERM, d(1, 8), pregnant=True, children_under_6=1), 3_710_000, 2_000_000),
    ],
)
def test_child_supplement_is_hedged_and_not_in_total(profile: Profile, base: int, supplement: int) -> None:
    a = run(profile)
    e = a.get(PolicyId.CHILDREN)
    assert e is not None
    assert e.amount_vnd == supplement
    assert not e.confirmed_amount and e.hedged
    assert len(e.breakdown) >= 2  # the computation plus the "to be confirmed locally" line
    assert a.total_confirmed_vnd == base


@pytest.mark.parametrize(
    "profile",
    [
        employee(STOP, d(1, 7), d(20, 7), children_under_6=1),  # stoppage is not a base policy
        employee(SUSP, d(1, 7), d(10, 7), pregnant=True),  # base policy itself fails
        Profile(group=Group.FREE_WORKER, days_suspended=20, children_under_6=1),
    ],
)
def test_child_supplement_needs_suspension_or_termination(profile: Profile) -> None:
    assert code_of(run(profile), PolicyId.CHILDREN) == ReasonCode.NOT_COVERED


def test_child_supplement_not_considered_without_children() -> None:
    a = run(employee(SUSP, d(1, 7), d(31, 7)))
    assert a.get(PolicyId.CHILDREN) is None and a.reason(PolicyId.CHILDREN) is None


# --- khoản 8: F0/F1 ----------------------------------------------------------------------------

F0, F1 = CovidStatus.F0, CovidStatus.F1


@pytest.mark.parametrize(
    ("status", "start", "days", "expected"),
    [
        (F0, d(26, 4), 10, 9 * 80_000),  # treated 26/4–5/5: the days from 27/4 are counted
        (F0, d(1, 4), 10, ReasonCode.OUTSIDE_WINDOW),
        (F0, d(27, 4), 10, 800_000),
        (F0, d(1, 8), 45, 45 * 80_000),
        (F0, d(1, 8), 46, 45 * 80_000),  # capped at 45
        (F1, d(1, 8), 21, 21 * 80_000),
        (F1, d(1, 8), 25, 21 * 80_000),  # capped at 21
        (F1, d(26, 4), 14, 13 * 80_000),
        (F1, d(27, 4), 14, 14 * 80_000),
        (F1, d(31, 12), 1, 80_000),
        (F1, d(1, 1, 2022), 7, ReasonCode.OUTSIDE_WINDOW),
        (F0, d(30, 12), 10, 2 * 80_000),  # only 30-31/12 counted (hedged)
    ],
)
def test_f0_f1(status: CovidStatus, start: date, days: int, expected: int | ReasonCode) -> None:
    check(run(covid(status, start, days)), PolicyId.F0_F1, expected)


def test_f0_f1_days_past_window_are_hedged() -> None:
    assert run(covid(F0, d(30, 12), 10)).get(PolicyId.F0_F1).hedged  # type: ignore[union-attr]
    assert not run(covid(F0, d(1, 12), 10)).get(PolicyId.F0_F1).hedged  # type: ignore[union-attr]


def test_days_before_the_window_are_not_counted_and_that_is_said() -> None:
    e = run(household(d(27, 4), d(31, 5))).get(PolicyId.HOUSEHOLD_BUSINESS)
    assert e is not None and e.hedged
    assert "01/05/2021" in " ".join(e.breakdown)
    covid_part = run(covid(F1, d(26, 4), 14)).get(PolicyId.F0_F1)
    assert covid_part is not None and "27/04/2021" in " ".join(covid_part.breakdown)


def test_an_open_period_from_before_the_window_needs_its_days_inside() -> None:
    e = run(household(d(27, 4), None)).get(PolicyId.HOUSEHOLD_BUSINESS)
    assert e is not None and e.hedged and "15" in " ".join(e.breakdown)
    assert code_of(run(covid(F0, d(15, 3), None)), PolicyId.F0_F1) == ReasonCode.OUTSIDE_WINDOW  # "hồi tháng 3"


def test_f0_f1_unknown_days() -> None:
    e = run(covid(F1, d(1, 8), None), today=d(1, 7)).get(PolicyId.F0_F1)
    assert e is not None and e.amount_vnd is None and not e.confirmed_amount and e.hedged


def test_child_under_16_f1_gets_one_million_once() -> None:
    a = run(covid(F1, d(10, 5), 14, is_child_under_16=True))
    assert amount_of(a, PolicyId.F0_F1) == 14 * 80_000
    child = a.get(PolicyId.CHILDREN)
    assert child is not None and child.amount_vnd == 1_000_000
    assert child.confirmed_amount and not child.hedged
    assert a.total_confirmed_vnd == 14 * 80_000 + 1_000_000


def test_child_f0_f1_outside_window_gets_neither() -> None:
    a = run(covid(F0, d(1, 4), 10, is_child_under_16=True))
    assert code_of(a, PolicyId.F0_F1) == ReasonCode.OUTSIDE_WINDOW
    assert code_of(a, PolicyId.CHILDREN) == ReasonCode.OUTSIDE_WINDOW
    assert a.total_confirmed_vnd == 0


@pytest.mark.parametrize(("status", "days"), [(F0, 10), (F1, 30)])
def test_elderly_or_severe_disability_supplement(status: CovidStatus, days: int) -> None:
    cap = 45 if status is F0 else 21
    a = run(covid(status, d(1, 9), days, is_elderly_or_severe_disability=True))
    assert amount_of(a, PolicyId.F0_F1) == min(days, cap) * 80_000 + 1_000_000
    assert a.get(PolicyId.CHILDREN) is None


# --- khoản 9: arts employees and tour guides ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (d(1, 7), d(14, 7), ReasonCode.TOO_SHORT),
        (d(1, 7), d(15, 7), 3_710_000),
        (d(30, 4), d(31, 5), 3_710_000),  # the days from 01/5 are counted
        (d(1, 4), d(30, 4), ReasonCode.OUTSIDE_WINDOW),
        (d(1, 5), d(15, 5), 3_710_000),
    ],
)
def test_arts_employee(start: date, end: date, expected: int | ReasonCode) -> None:
    p = Profile(group=Group.ARTS_EMPLOYEE, situation_start=start, situation_end=end, due_to_covid_measures=True)
    check(run(p), PolicyId.ARTS_TOUR_GUIDE, expected)


@pytest.mark.parametrize(
    ("card", "contract", "onsite", "expected", "hedged"),
    [
        (True, True, False, 3_710_000, False),
        (True, False, False, ReasonCode.MISSING_CONDITION, None),
        (False, None, False, ReasonCode.MISSING_CONDITION, None),
        (True, None, False, 3_710_000, True),  # contract not asked: to confirm
        (None, None, False, 3_710_000, True),
        (False, None, True, 3_710_000, True),  # on-site guide: conditions UNCONFIRMED
        (True, False, True, 3_710_000, True),
    ],
)
def test_tour_guide(
    card: bool | None, contract: bool | None, onsite: bool, expected: int | ReasonCode, hedged: bool | None
) -> None:
    p = Profile(
        group=Group.TOUR_GUIDE,
        has_tour_guide_card=card,
        tour_guide_contract_or_association=contract,
        onsite_guide_assigned_by_site=onsite,
    )
    a = run(p)
    check(a, PolicyId.ARTS_TOUR_GUIDE, expected)
    if hedged is not None:
        assert a.get(PolicyId.ARTS_TOUR_GUIDE).hedged is hedged  # type: ignore[union-attr]


def test_tour_guide_dates_checked_against_window() -> None:
    p = Profile(
        group=Group.TOUR_GUIDE,
        has_tour_guide_card=True,
        tour_guide_contract_or_association=True,
        situation_start=d(1, 1, 2022),
    )
    assert code_of(run(p), PolicyId.ARTS_TOUR_GUIDE) == ReasonCode.OUTSIDE_WINDOW


# --- khoản 10: household businesses -------------------------------------------------------------


def household(start: date | None, end: date | None, **kw: object) -> Profile:
    kw.setdefault("due_to_covid_measures", True)
    kw.setdefault("has_registration_or_nq126_category", True)
    return Profile(
        group=Group.HOUSEHOLD_BUSINESS,
        situation_start=start,
        situation_end=end,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (household(d(1, 8), d(14, 8)), ReasonCode.TOO_SHORT),
        (household(d(1, 8), d(15, 8)), 3_000_000),
        # Khoản 10 asks for 15 days inside 01/5–31/12/2021: a closure from 27/4 counts its days from 01/5.
        (household(d(27, 4), d(31, 5)), 3_000_000),
        (household(d(20, 4), d(14, 5)), ReasonCode.TOO_SHORT),  # 14 days from 01/5
        (household(d(1, 4), d(30, 4)), ReasonCode.OUTSIDE_WINDOW),
        (household(d(1, 5), d(15, 5)), 3_000_000),
        (household(d(17, 12), d(31, 12)), 3_000_000),
        (household(d(18, 12), d(15, 1, 2022)), ReasonCode.TOO_SHORT),  # 14 days inside 2021
        (
            household(d(1, 8), d(31, 8), has_registration_or_nq126_category=False),
            ReasonCode.MISSING_CONDITION,
        ),
        (household(d(1, 8), d(31, 8), due_to_covid_measures=False), ReasonCode.NOT_COVID_RELATED),
    ],
)
def test_household_business(profile: Profile, expected: int | ReasonCode) -> None:
    check(run(profile), PolicyId.HOUSEHOLD_BUSINESS, expected)


def test_household_nq126_category_unknown_is_hedged() -> None:
    e = run(household(d(1, 8), d(31, 8), has_registration_or_nq126_category=None)).get(PolicyId.HOUSEHOLD_BUSINESS)
    assert e is not None and e.amount_vnd == 3_000_000 and e.hedged


# --- khoản 12: free workers ---------------------------------------------------------------------


def free_worker(days: int | None = 20, **kw: object) -> Profile:
    kw.setdefault("in_listed_occupation", True)
    kw.setdefault("resides_in_province", True)
    return Profile(group=Group.FREE_WORKER, days_suspended=days, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scheme", "days", "amount", "confirmed", "hedged"),
    [
        (FreeWorkerScheme(), 20, None, False, True),  # unset: set by the province
        (FreeWorkerScheme(mode="lump", amount_vnd=1_500_000), 20, 1_500_000, True, False),
        (FreeWorkerScheme(mode="lump", amount_vnd=None), 20, None, False, True),  # misconfigured
        (FreeWorkerScheme(mode="per_day", amount_vnd=50_000), 20, 1_000_000, True, False),
        (FreeWorkerScheme(mode="per_day", amount_vnd=50_000, max_days=30), 40, 1_500_000, True, False),
        (FreeWorkerScheme(mode="per_day", amount_vnd=50_000, max_days=30), 30, 1_500_000, True, False),
        (FreeWorkerScheme(mode="per_day", amount_vnd=50_000, max_days=30), 29, 1_450_000, True, False),
        (FreeWorkerScheme(mode="per_day", amount_vnd=50_000), None, None, False, True),
    ],
)
def test_free_worker_schemes(
    scheme: FreeWorkerScheme, days: int | None, amount: int | None, confirmed: bool, hedged: bool
) -> None:
    a = run(free_worker(days), scheme)
    e = a.get(PolicyId.FREE_WORKER)
    assert e is not None
    assert (e.amount_vnd, e.confirmed_amount, e.hedged) == (amount, confirmed, hedged)
    assert a.total_confirmed_vnd == (amount if confirmed else 0)


def test_a_free_worker_out_of_work_for_another_cause_is_refused() -> None:
    """The free worker's support was given whatever stopped the work (an accident, an illness)."""
    a = evaluate(free_worker(due_to_covid_measures=False), None, today=TODAY)
    assert code_of(a, PolicyId.FREE_WORKER) == ReasonCode.NOT_COVID_RELATED


def test_free_worker_default_scheme_when_none_given() -> None:
    e = evaluate(free_worker(), None, today=TODAY).get(PolicyId.FREE_WORKER)
    assert e is not None and e.amount_vnd is None and e.hedged


def test_free_worker_per_day_from_dates() -> None:
    p = Profile(
        group=Group.FREE_WORKER,
        situation_start=d(10, 7),
        situation_end=d(23, 7),
        in_listed_occupation=True,
        resides_in_province=True,
    )
    check(run(p, FreeWorkerScheme(mode="per_day", amount_vnd=50_000)), PolicyId.FREE_WORKER, 14 * 50_000)


def test_free_worker_decision_is_cited() -> None:
    scheme = FreeWorkerScheme(mode="lump", amount_vnd=1_500_000, decision="Quyết định số 3642/QĐ-UBND")
    e = run(free_worker(), scheme).get(PolicyId.FREE_WORKER)
    assert e is not None and any("3642/QĐ-UBND" in line for line in e.breakdown)


@pytest.mark.parametrize(
    ("kw", "requires_residence", "expected"),
    [
        ({"resides_in_province": False}, True, ReasonCode.MISSING_CONDITION),
        ({"resides_in_province": False}, False, 1_500_000),
        ({"in_listed_occupation": False}, True, ReasonCode.MISSING_CONDITION),
    ],
)
def test_free_worker_province_criteria(kw: dict[str, object], requires_residence: bool, expected: object) -> None:
    scheme = FreeWorkerScheme(mode="lump", amount_vnd=1_500_000, requires_residence=requires_residence)
    check(run(free_worker(**kw), scheme), PolicyId.FREE_WORKER, expected)  # type: ignore[arg-type]


@pytest.mark.parametrize("unknown", ["in_listed_occupation", "resides_in_province"])
def test_free_worker_unanswered_criteria_are_hedged(unknown: str) -> None:
    e = run(free_worker(**{unknown: None}), FreeWorkerScheme(mode="lump", amount_vnd=1_500_000)).get(
        PolicyId.FREE_WORKER
    )
    assert e is not None and e.amount_vnd == 1_500_000 and e.hedged


# --- principles: one regime, once per policy ----------------------------------------------------

LUMP = FreeWorkerScheme(mode="lump", amount_vnd=1_500_000)
FREE_EP = Episode(Group.FREE_WORKER, days=20)


@pytest.mark.parametrize(
    ("profile", "scheme", "kept", "dropped"),
    [
        (
            employee(SUSP, d(1, 7), d(31, 7), other_episodes=(FREE_EP,)),
            LUMP,
            PolicyId.SUSPENSION,
            PolicyId.FREE_WORKER,
        ),
        (
            employee(STOP, d(1, 7), d(20, 7), other_episodes=(FREE_EP,)),
            LUMP,
            PolicyId.FREE_WORKER,
            PolicyId.WORK_STOPPAGE,
        ),
        (
            employee(SUSP, d(1, 7), d(20, 7), other_episodes=(Episode(Group.EMPLOYEE_SI, TERM, d(1, 9)),)),
            None,
            PolicyId.TERMINATION,
            PolicyId.SUSPENSION,
        ),
        # Unknown provincial amount loses to a known national amount.
        (
            employee(STOP, d(1, 7), d(20, 7), other_episodes=(FREE_EP,)),
            None,
            PolicyId.WORK_STOPPAGE,
            PolicyId.FREE_WORKER,
        ),
        # Equal amounts: the lower clause is kept.
        (
            employee(SUSP, d(1, 7), d(31, 7), other_episodes=(Episode(Group.EMPLOYEE_SI, TERM, d(1, 9)),)),
            None,
            PolicyId.SUSPENSION,
            PolicyId.TERMINATION,
        ),
    ],
)
def test_one_regime_keeps_the_highest(
    profile: Profile, scheme: FreeWorkerScheme | None, kept: PolicyId, dropped: PolicyId
) -> None:
    a = run(profile, scheme)
    assert a.get(kept) is not None
    assert code_of(a, dropped) == ReasonCode.ONE_REGIME_ONLY
    assert a.total_confirmed_vnd == a.get(kept).amount_vnd  # type: ignore[union-attr]


def test_same_policy_twice_keeps_the_better_episode() -> None:
    p = employee(SUSP, d(1, 7), d(10, 7), other_episodes=(Episode(Group.EMPLOYEE_SI, SUSP, d(1, 9), d(30, 9)),))
    a = run(p)
    assert amount_of(a, PolicyId.SUSPENSION) == LONG
    assert a.reason(PolicyId.SUSPENSION) is None


def test_household_support_stacks_with_a_worker_regime() -> None:
    p = household(d(1, 8), d(31, 8), other_episodes=(Episode(Group.EMPLOYEE_SI, SUSP, d(1, 7), d(31, 7)),))
    a = run(p)
    assert amount_of(a, PolicyId.HOUSEHOLD_BUSINESS) == 3_000_000
    assert amount_of(a, PolicyId.SUSPENSION) == LONG
    assert a.total_confirmed_vnd == 3_000_000 + LONG


def test_supplements_stack_on_the_kept_regime() -> None:
    p = employee(SUSP, d(1, 7), d(31, 7), children_under_6=1, covid_status=F1, covid_start=d(1, 6), covid_days=14)
    a = run(p)
    assert {e.policy_id for e in a.entitlements} == {PolicyId.SUSPENSION, PolicyId.CHILDREN, PolicyId.F0_F1}
    assert a.total_confirmed_vnd == LONG + 14 * 80_000


def test_supplement_follows_the_kept_regime_only() -> None:
    # Free worker (lump 5M) beats suspension: the under-6 supplement rides on 4 or 6 only.
    p = employee(SUSP, d(1, 7), d(31, 7), children_under_6=1, other_episodes=(FREE_EP,))
    a = run(p, FreeWorkerScheme(mode="lump", amount_vnd=5_000_000))
    assert a.get(PolicyId.FREE_WORKER) is not None
    assert code_of(a, PolicyId.CHILDREN) == ReasonCode.NOT_COVERED


def test_received_one_time_cash_blocks_regimes_but_not_supplements() -> None:
    p = employee(
        SUSP,
        d(1, 7),
        d(31, 7),
        children_under_6=1,
        covid_status=F0,
        covid_start=d(1, 8),
        covid_days=10,
        received_one_time_cash=True,
        other_episodes=(FREE_EP,),
    )
    a = run(p, LUMP)
    assert code_of(a, PolicyId.SUSPENSION) == ReasonCode.ONE_REGIME_ONLY
    assert code_of(a, PolicyId.FREE_WORKER) == ReasonCode.ONE_REGIME_ONLY
    assert amount_of(a, PolicyId.F0_F1) == 800_000
    assert amount_of(a, PolicyId.CHILDREN) == 1_000_000
    assert a.total_confirmed_vnd == 800_000


@pytest.mark.parametrize(
    ("profile", "received", "blocked", "other_code"),
    [
        # A received regime counts as one-time cash: the free-worker episode is blocked too.
        (employee(SUSP, d(1, 7), d(31, 7), other_episodes=(FREE_EP,)), {"suspension"}, PolicyId.SUSPENSION,
         (PolicyId.FREE_WORKER, ReasonCode.ONE_REGIME_ONLY)),
        (covid(F1, d(1, 8), 14), {"f0_f1"}, PolicyId.F0_F1, None),
        (covid(F1, d(1, 8), 14, is_child_under_16=True), {"children"}, PolicyId.CHILDREN,
         (PolicyId.F0_F1, None)),
        (household(d(1, 8), d(31, 8)), {"household_business"}, PolicyId.HOUSEHOLD_BUSINESS, None),
    ],
)  # fmt: skip
def test_already_received(
    profile: Profile,
    received: set[str],
    blocked: PolicyId,
    other_code: tuple[PolicyId, ReasonCode | None] | None,
) -> None:
    a = run(replace(profile, already_received=frozenset(received)), LUMP)
    assert code_of(a, blocked) == ReasonCode.ALREADY_RECEIVED
    if other_code is not None:
        pid, code = other_code
        if code is None:
            assert a.get(pid) is not None  # unaffected
        else:
            assert code_of(a, pid) == code


def test_already_received_base_keeps_the_supplement() -> None:
    p = employee(SUSP, d(1, 7), d(31, 7), pregnant=True, already_received=frozenset({"suspension"}))
    a = run(p)
    assert code_of(a, PolicyId.SUSPENSION) == ReasonCode.ALREADY_RECEIVED
    assert amount_of(a, PolicyId.CHILDREN) == 1_000_000


def test_already_received_other_regime_drops_the_supplement() -> None:
    p = employee(SUSP, d(1, 7), d(31, 7), pregnant=True, already_received=frozenset({"free_worker"}))
    a = run(p)
    assert code_of(a, PolicyId.SUSPENSION) == ReasonCode.ONE_REGIME_ONLY
    assert code_of(a, PolicyId.CHILDREN) == ReasonCode.NOT_COVERED


# --- validation, deadlines, structure -----------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"situation_start": d(10, 7), "situation_end": d(1, 7)},  # end before start
        {"situation_start": d(1, 7), "situation_end": d(10, 7), "days_suspended": 5},  # mismatch
        {"days_suspended": 0},
        {"covid_days": 0},
        {"children_under_6": -1},
        {"already_received": frozenset({"nope"})},
    ],
)
def test_profile_validation(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Profile(**kwargs)  # type: ignore[arg-type]


def test_deadline_note_after_31_january_2022() -> None:
    p = employee(TERM, d(1, 8))
    before = run(p, today=d(31, 1, 2022)).get(PolicyId.TERMINATION)
    after = run(p, today=d(1, 2, 2022)).get(PolicyId.TERMINATION)
    assert before is not None and after is not None
    assert after.next_step.startswith(before.next_step) and len(after.next_step) > len(before.next_step)


def test_nothing_for_someone_outside_every_group() -> None:
    a = run(Profile())
    assert a.entitlements == [] and a.ineligible == [] and a.total_confirmed_vnd == 0


SAMPLES: list[tuple[Profile, FreeWorkerScheme | None]] = [
    (employee(SUSP, d(1, 7), d(31, 7), pregnant=True, children_under_6=2, other_episodes=(FREE_EP,)), LUMP),
    (employee(STOP, d(1, 7), d(13, 7), children_under_6=1), None),
    (employee(TERM, d(1, 1, 2022)), None),
    (employee(SUSP, days=30), None),
    (employee(SUSP, d(15, 12), due_to_covid_measures=None), None),
    (covid(F0, d(30, 12), 50, is_child_under_16=True, is_elderly_or_severe_disability=True), None),
    (covid(F1, None, 10, is_child_under_16=True), None),
    (covid(F1, d(26, 4), 10, is_child_under_16=True), None),
    (Profile(group=Group.TOUR_GUIDE, onsite_guide_assigned_by_site=True), None),
    (
        Profile(group=Group.TOUR_GUIDE, has_tour_guide_card=True, tour_guide_contract_or_association=False),
        None,
    ),
    (Profile(group=Group.ARTS_EMPLOYEE, situation_start=d(1, 7), days_suspended=10), None),
    (household(d(1, 8), None, has_registration_or_nq126_category=None), None),
    (household(d(1, 8), d(31, 8), has_registration_or_nq126_category=False), None),
    (
        free_worker(40, in_listed_occupation=None),
        FreeWorkerScheme(mode="per_day", amount_vnd=50_000, max_days=30),
    ),
    (free_worker(None), FreeWorkerScheme(mode="per_day", amount_vnd=50_000, max_days=30)),
    (free_worker(None, resides_in_province=None), FreeWorkerScheme(mode="per_day", amount_vnd=50_000)),
    (free_worker(10, resides_in_province=False), LUMP),
    (free_worker(10, in_listed_occupation=False), LUMP),
    (free_worker(10), FreeWorkerScheme(decision="QĐ 1517/QĐ-UBND")),
    (
        employee(
            SUSP,
            d(1, 7),
            d(20, 7),
            received_one_time_cash=True,
            other_episodes=(FREE_EP,),
            already_received={"f0_f1"},
        ),
        None,
    ),
    (employee(SUSP, d(1, 7), d(31, 7), other_episodes=(FREE_EP,)), None),
]


@pytest.mark.parametrize(("profile", "scheme"), SAMPLES)
@pytest.mark.parametrize("today", [TODAY, d(1, 3, 2022)])
def test_assessment_invariants(profile: Profile, scheme: FreeWorkerScheme | None, today: date) -> None:
    a = run(profile, scheme, today)
    granted = [e.policy_id for e in a.entitlements]
    refused = [r.policy_id for r in a.ineligible]
    assert len(set(granted)) == len(granted) and len(set(refused)) == len(refused)
    assert not set(granted) & set(refused)
    assert not (set(granted) | set(refused)) & EMPLOYER_SIDE
    assert granted == sorted(granted, key=rules.CLAUSE.__getitem__)
    assert a.entitlements or a.ineligible
    for e in a.entitlements:
        assert e.breakdown and e.next_step
        if e.amount_vnd is None:
            assert not e.confirmed_amount and e.hedged
    for r in a.ineligible:
        assert r.text
    assert a.total_confirmed_vnd == sum(e.amount_vnd or 0 for e in a.entitlements if e.confirmed_amount)
    # At most one one-time regime is ever granted.
    assert len(set(granted) & rules.ONE_TIME_REGIMES) <= 1


# --- Vietnamese catalog ---------------------------------------------------------


def _extracted() -> list[str | tuple[str, ...]]:
    return [msg for _line, msg, _comments, _ctx in extract_from_file("python", MODULE)]


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w*)\}", text))


def test_pending_po_translates_every_msgid() -> None:
    with PENDING_PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    messages = _extracted()
    assert messages
    for msg in messages:
        key = msg if isinstance(msg, str) else msg[0]
        entry = catalog.get(key)
        assert entry is not None, f"missing in hotro.po: {key!r}"
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for translated in strings:
            assert translated and translated != key, f"untranslated: {key!r}"
            assert _placeholders(translated) == _placeholders(key), key
            assert re.search(r"[^\x00-\x7f]", translated), f"no Vietnamese diacritics: {translated!r}"


@pytest.fixture
def vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Render with the Vietnamese catalog read straight from the .po."""
    with PENDING_PO.open("rb") as fh:
        catalog = read_po(fh, locale="vi")
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    translations = gettext.GNUTranslations(buf)
    monkeypatch.setattr(rules, "_", translations.gettext)
    monkeypatch.setattr(rules, "ngettext", translations.ngettext)


@pytest.mark.usefixtures("vietnamese")
@pytest.mark.parametrize(("profile", "scheme"), SAMPLES)
def test_rendered_vietnamese(profile: Profile, scheme: FreeWorkerScheme | None) -> None:
    a = evaluate(profile, scheme, today=d(1, 3, 2022))
    english = _english_heads()
    texts = [r.text for r in a.ineligible]
    for e in a.entitlements:
        texts += [*e.breakdown, e.next_step]
    for text in texts:
        assert not any(text.startswith(m) for m in english), text


def _english_heads() -> list[str]:
    """The English msgids up to their first placeholder: none may survive translation."""
    out = []
    for msg in _extracted():
        for key in [msg] if isinstance(msg, str) else msg:
            head = key.split("{", 1)[0]
            if len(head) >= 6:
                out.append(head)
    return out


@pytest.mark.usefixtures("vietnamese")
def test_rendered_example_reason() -> None:
    r = evaluate(employee(SUSP, d(1, 7), d(14, 7)), today=TODAY).reason(PolicyId.SUSPENSION)
    assert r is not None and r.text == "Thời gian dưới 15 ngày liên tục (chỉ có 14 ngày)."
    assert rules.policy_title("suspension").startswith("Hỗ trợ người lao động tạm hoãn")


@pytest.mark.parametrize(
    ("start", "end", "today", "days"),
    [
        (date(2021, 12, 1), None, date(2026, 12, 3), 31),  # "đến nay", asked years later: up to 31/12/2021
        (date(2021, 12, 20), date(2022, 1, 10), TODAY, 12),  # a period running past the support period
        (date(2021, 11, 20), None, TODAY, 12),  # still without work: up to today
    ],
)
def test_free_worker_days_are_counted_inside_the_support_period(
    start: date, end: date | None, today: date, days: int
) -> None:
    p = Profile(
        group=Group.FREE_WORKER,
        situation_start=start,
        situation_end=end,
        in_listed_occupation=True,
        resides_in_province=True,
    )
    check(run(p, FreeWorkerScheme(mode="per_day", amount_vnd=50_000), today), PolicyId.FREE_WORKER, days * 50_000)


@pytest.mark.parametrize("scheme", [FreeWorkerScheme(mode="per_day", amount_vnd=50_000), FreeWorkerScheme()])
@pytest.mark.parametrize("start", [date(2022, 3, 1), date(2021, 2, 10)])
def test_free_worker_out_of_work_outside_the_support_period_is_told_so(scheme: FreeWorkerScheme, start: date) -> None:
    p = Profile(
        group=Group.FREE_WORKER,
        situation_start=start,
        situation_end=start + timedelta(days=20),
        in_listed_occupation=True,
        resides_in_province=True,
    )
    check(run(p, scheme, date(2022, 6, 1)), PolicyId.FREE_WORKER, ReasonCode.OUTSIDE_WINDOW)
