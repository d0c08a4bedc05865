"""Eligibility rules of the 2021 COVID-19 support package, as a pure function.

NQ 68/NQ-CP and QĐ 23/2021/QĐ-TTg, as amended by NQ 126/NQ-CP and QĐ 33/2021/QĐ-TTg.
`evaluate(profile)` turns the answers of a short questionnaire (`Profile`) into an
`Assessment`: the support a citizen may receive (`Entitlement`, with the amount, how it
was computed and where to apply) and the policies considered but not available
(`Reason`). No I/O and no channel code: the chat handlers call it, and tests call it directly.

Facts come from the project's policy-facts sheet (amounts, conditions, sources). Figures it marks
UNCONFIRMED are never presented as fact: they carry `confirmed_amount=False` / `hedged=True` and stay out of
`total_confirmed_vnd`.

Interpretation choices (the legal texts themselves were not available):
- Employer-side policies (khoản 1, 2, 3, 11) are not cash to individuals, so they are
  never entitlements nor reasons. The only pointer is `related_employer_policies`:
  "wage_loan" when a worker's work stoppage is the kind the employer may borrow for.
- Windows: a situation must *start* inside the window; only days up to 31/12/2021 count
  towards a duration or an amount ("tính từ 01/5/2021 đến hết 31/12/2021"). A clipped
  period is hedged with a note.
- "1 month or more" (khoản 4): the period, counted inclusively, reaches the day before the
  same day of the next month (01/5–31/5, 15/6–14/7). When the next month has no such day,
  it must reach the last day of that month (31/5–30/6): the stricter reading, so the bot
  never promises 3.710.000 ₫ where 1.855.000 ₫ may be due. With only a day count and no
  dates, 31 days always make a month, 30 days may not, so 30 gives the lower amount.
- No end date and no day count: the situation is taken as ongoing until `today` (still
  clipped to the window) and hedged.
- One regime (nguyên tắc): among one-time cash regimes 4, 5, 6, 9 and 12 a worker keeps the
  highest known amount (ties: unhedged first, then lower clause); the others become
  `ONE_REGIME_ONLY` reasons. Household support (khoản 10) is paid per household, not per
  worker, so it neither counts towards nor is blocked by that rule. A regime id in
  `already_received` counts as one-time cash already received.
- Policies 7 and 8 stack. The pregnancy / child-under-6 supplement follows only a kept (or
  already received) regime 4 or 6; the regime choice compares base amounts only, because
  the supplement amount is UNCONFIRMED. The +1.000.000 ₫ for a child F0/F1 is policy 7
  ("children"); the +1.000.000 ₫ for the elderly / severely disabled is part of policy 8.
- An unanswered yes/no condition (None) is not a refusal: the entitlement is listed,
  hedged, with the condition to confirm. False gives a `Reason`.
- Free workers: the province sets criteria and amount (`FreeWorkerScheme`); no central
  window is applied.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Set
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from messages.fmt import day, today_local, vnd
from messages.free_worker_scheme import FreeWorkerScheme
from messages.i18n import N_, _, ngettext


class PolicyId(StrEnum):
    """The 12 policies of NQ 68 Mục II, in clause order (ids shared with the knowledge base)."""

    TNLD_BNN = "tnld_bnn"
    PENSION_PAUSE = "pension_pause"
    TRAINING = "training"
    SUSPENSION = "suspension"
    WORK_STOPPAGE = "work_stoppage"
    TERMINATION = "termination"
    CHILDREN = "children"
    F0_F1 = "f0_f1"
    ARTS_TOUR_GUIDE = "arts_tour_guide"
    HOUSEHOLD_BUSINESS = "household_business"  # not vocabulary: a policy id
    WAGE_LOAN = "wage_loan"
    FREE_WORKER = "free_worker"  # not vocabulary: a policy id


CLAUSE: dict[PolicyId, int] = {pid: n for n, pid in enumerate(PolicyId, start=1)}

POLICY_TITLES: dict[PolicyId, str] = {
    PolicyId.TNLD_BNN: N_("Cut in the occupational accident and disease insurance premium"),
    PolicyId.PENSION_PAUSE: N_("Pause of contributions to the pension and survivorship fund"),
    PolicyId.TRAINING: N_("Training support to retain jobs"),
    PolicyId.SUSPENSION: N_("Contract suspension or unpaid leave"),
    PolicyId.WORK_STOPPAGE: N_("Work stoppage"),
    PolicyId.TERMINATION: N_("Contract ended without unemployment benefit"),
    PolicyId.CHILDREN: N_("Support for children"),
    PolicyId.F0_F1: N_("COVID-19 treatment (F0) or medical isolation (F1)"),
    PolicyId.ARTS_TOUR_GUIDE: N_("Performing-arts public employees and tour guides"),
    PolicyId.HOUSEHOLD_BUSINESS: N_("Household businesses"),
    PolicyId.WAGE_LOAN: N_("Zero-interest loans to pay wages"),
    PolicyId.FREE_WORKER: N_("Workers without a labour contract (free workers)"),
}


def policy_title(policy_id: str) -> str:
    """Vietnamese title of a policy."""
    return _(POLICY_TITLES[PolicyId(policy_id)])


# One-time cash regimes of which a worker keeps only one (household support is per household).
ONE_TIME_REGIMES: frozenset[PolicyId] = frozenset(
    {
        PolicyId.SUSPENSION,
        PolicyId.WORK_STOPPAGE,
        PolicyId.TERMINATION,
        PolicyId.ARTS_TOUR_GUIDE,
        PolicyId.FREE_WORKER,
    }
)
# The pregnancy / child-under-6 supplement is paid on top of these two only (policy-facts §3.7).
SUPPLEMENT_BASES: frozenset[PolicyId] = frozenset({PolicyId.SUSPENSION, PolicyId.TERMINATION})

WINDOW_START = date(2021, 5, 1)
WINDOW_END = date(2021, 12, 31)
COVID_WINDOW_START = date(2021, 4, 27)
DOSSIER_DEADLINE = date(2022, 1, 31)  # QĐ 33: 4, 5, 6, 9 and 10
WAGE_LOAN_WINDOW_END = date(2022, 3, 31)

SUSPENSION_SHORT_VND = 1_855_000
SUSPENSION_LONG_VND = 3_710_000
WORK_STOPPAGE_VND = 1_000_000
TERMINATION_VND = 3_710_000
CHILD_SUPPLEMENT_VND = 1_000_000  # UNCONFIRMED (policy-facts §3.7, §12)
F0F1_DAILY_VND = 80_000
F0_MAX_DAYS = 45
F1_MAX_DAYS = 21
CHILD_F0F1_VND = 1_000_000
ELDERLY_F0F1_VND = 1_000_000
ARTS_TOUR_GUIDE_VND = 3_710_000
HOUSEHOLD_VND = 3_000_000

MIN_SUSPENSION_DAYS = 15
MIN_ISOLATION_DAYS = 14
MIN_ARTS_DAYS = 15
MIN_HOUSEHOLD_DAYS = 15
MIN_WAGE_LOAN_DAYS = 15
DAYS_SURELY_A_MONTH = 31


class Group(StrEnum):
    EMPLOYEE_SI = "employee_si"  # labour contract with compulsory social insurance
    FREE_WORKER = "free_worker"  # not vocabulary: a group of people (lao động tự do, no labour contract)
    HOUSEHOLD_BUSINESS = "household_business"  # not vocabulary: a group of people
    ARTS_EMPLOYEE = "arts_employee"  # viên chức hoạt động nghệ thuật
    TOUR_GUIDE = "tour_guide"
    NONE = "none"  # none of these / other


class EmployeeSituation(StrEnum):
    SUSPENSION_OR_UNPAID_LEAVE = "suspension_or_unpaid_leave"
    WORK_STOPPAGE = "work_stoppage"
    TERMINATED_NO_UI_BENEFIT = "terminated_no_ui_benefit"


class CovidStatus(StrEnum):
    NONE = "none"
    F0 = "f0"  # treated for COVID-19
    F1 = "f1"  # medical isolation


class ReasonCode(StrEnum):
    NOT_COVERED = "not_covered"  # wrong group (e.g. no compulsory social insurance)
    OUTSIDE_WINDOW = "outside_window"
    TOO_SHORT = "too_short"
    NOT_COVID_RELATED = "not_covid_related"
    MISSING_CONDITION = "missing_condition"  # registration, card, contract, residence, occupation
    ALREADY_RECEIVED = "already_received"
    ONE_REGIME_ONLY = "one_regime_only"


def _inclusive_days(start: date, end: date) -> int:
    return (end - start).days + 1


def _check_dates(start: date | None, end: date | None, days: int | None) -> int | None:
    """Validate a period and return its day count (derived from the dates when both are given)."""
    if days is not None and days < 1:
        raise ValueError("days must be at least 1")
    if start is None or end is None:
        return days
    if end < start:
        raise ValueError("end date before start date")
    derived = _inclusive_days(start, end)
    if days is not None and days != derived:
        raise ValueError(f"{days} days does not match {start}..{end} ({derived} days)")
    return derived


@dataclass
class Episode:
    """One period in which the person was hit: which group, what happened, when.

    The questionnaire's main answers form the first episode; `Profile.other_episodes` holds
    any further one ("were you also …?"), so the one-regime rule can compare them.
    For a terminated contract, `start` is the date the contract ended.
    """

    group: Group
    situation: EmployeeSituation | None = None
    start: date | None = None
    end: date | None = None
    days: int | None = None  # derived from start/end when both are given

    def __post_init__(self) -> None:
        self.days = _check_dates(self.start, self.end, self.days)


@dataclass
class Profile:
    """Answers of the eligibility questionnaire (4-8 chat steps). None = not asked / unknown."""

    group: Group = Group.NONE
    employee_situation: EmployeeSituation | None = None
    situation_start: date | None = None  # for a termination: the date the contract ended
    situation_end: date | None = None
    days_suspended: int | None = None  # derived from the dates when both are given
    # Caused by COVID-19 measures: an authority's order, isolation, lockdown, Directive 16 area,
    # or production rearranged for prevention (NQ 126 wording).
    due_to_covid_measures: bool | None = None
    # Tour guides (khoản 9).
    has_tour_guide_card: bool | None = None  # a valid (còn hạn) card
    tour_guide_contract_or_association: bool | None = None
    onsite_guide_assigned_by_site: bool = False  # hướng dẫn viên tại điểm
    # Khoản 6 is for workers NOT entitled to unemployment benefit: True when the worker receives (or has
    # received) it for this job.
    receives_unemployment_benefit: bool | None = None
    # Performing arts (khoản 9): False when the person works for a private troupe, not a public unit.
    public_arts_unit: bool | None = None
    # Household businesses (khoản 10): registered, or one of the groups NQ 126 added.
    has_registration_or_nq126_category: bool | None = None
    # Free workers (khoản 12): the province's criteria.
    in_listed_occupation: bool | None = None
    resides_in_province: bool | None = None
    # F0/F1 (khoản 8) and the children's supplement (khoản 7).
    covid_status: CovidStatus = CovidStatus.NONE
    covid_start: date | None = None
    covid_days: int | None = None  # actual treatment / isolation days
    is_child_under_16: bool = False
    # QĐ 33: elderly (khoản 5 Điều 5 NĐ 20/2021) or severe disability (khoản 6 Điều 5 NĐ 20/2021).
    is_elderly_or_severe_disability: bool = False
    pregnant: bool = False
    children_under_6: int = 0  # own, adopted or in substitute care
    # History.
    already_received: Set[str] = field(default_factory=frozenset)
    received_one_time_cash: bool = False
    other_episodes: tuple[Episode, ...] = ()

    def __post_init__(self) -> None:
        self.days_suspended = _check_dates(self.situation_start, self.situation_end, self.days_suspended)
        _check_dates(self.covid_start, None, self.covid_days)
        if self.children_under_6 < 0:
            raise ValueError("children_under_6 must not be negative")
        unknown = set(self.already_received) - set(PolicyId)
        if unknown:
            raise ValueError(f"unknown policy ids: {sorted(unknown)}")

    def episodes(self) -> Iterator[Episode]:
        yield Episode(
            self.group, self.employee_situation, self.situation_start, self.situation_end, self.days_suspended
        )
        yield from self.other_episodes


@dataclass(frozen=True)
class Entitlement:
    policy_id: str
    amount_vnd: int | None  # None: depends on something unknown (days, province's amount)
    confirmed_amount: bool  # False: the figure is not confirmed by a source (or unknown)
    breakdown: list[str]  # short Vietnamese lines explaining the computation
    next_step: str  # what to do, where, deadline
    hedged: bool  # True: present as "có thể / cần xác nhận", never as a promise


@dataclass(frozen=True)
class Reason:
    policy_id: str
    code: ReasonCode
    text: str  # short Vietnamese reason


@dataclass(frozen=True)
class Assessment:
    entitlements: list[Entitlement]
    ineligible: list[Reason]
    related_employer_policies: list[str] = field(default_factory=list)

    @property
    def total_confirmed_vnd(self) -> int:
        return sum(e.amount_vnd for e in self.entitlements if e.confirmed_amount and e.amount_vnd is not None)

    def get(self, policy_id: str) -> Entitlement | None:
        return next((e for e in self.entitlements if e.policy_id == policy_id), None)

    def reason(self, policy_id: str) -> Reason | None:
        return next((r for r in self.ineligible if r.policy_id == policy_id), None)


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    start: date | None
    end: date | None  # last counted day (clipped to the window end)
    days: int | None  # counted days
    clipped: bool = False
    ongoing: bool = False
    from_first: bool = False  # began before the window: counted from its first day


def _resolve(
    start: date | None, end: date | None, days: int | None, last: date, today: date, first: date | None = None
) -> _Period:
    """The days that count: from start to the end (or start + days, or today), clipped at `last`.

    `first`: for the policies that ask for so many days *inside* the window (khoản 5, 8, 9 for the arts, 10,
    11: "trong thời gian từ ngày 01/5/2021 đến hết ngày 31/12/2021"), a period that began earlier counts from
    that day.
    The suspension (khoản 4) also asks that it *start* inside the window, so it passes no `first`."""
    ongoing = False
    if start is not None and end is None:
        if days is not None:
            end = start + timedelta(days=days - 1)
        elif today >= start:
            end, ongoing = today, True
    if start is None or end is None:
        return _Period(start, None, days)
    if ongoing and first is not None and start < first:
        # "đóng cửa từ 27/4" and no end: how many of its days fall inside the window is not known.
        return _Period(first, None, None, from_first=True)
    from_first = False
    if first is not None and start < first <= end:
        start, from_first = first, True
    counted_end = min(end, last)
    counted = _inclusive_days(start, counted_end) if counted_end >= start else 0
    return _Period(start, counted_end, counted, clipped=end > last, ongoing=ongoing, from_first=from_first)


# Khoản 5, 9 (arts) and 10 ask for so many days inside the window, whenever the period began (see _resolve).
_COUNTS_INSIDE = frozenset({PolicyId.WORK_STOPPAGE, PolicyId.ARTS_TOUR_GUIDE, PolicyId.HOUSEHOLD_BUSINESS})


def _counting_start(policy_id: str) -> date | None:
    return WINDOW_START if policy_id in _COUNTS_INSIDE else None


def counted_days(policy_id: str, start: date | None, end: date | None, days: int | None) -> int | None:
    """The days the rules count for a period given by its dates (else its length), as the rules count them."""
    if start is None or end is None:
        return days
    return _resolve(start, end, None, WINDOW_END, end, first=_counting_start(policy_id)).days


def one_month_end(start: date) -> date:
    """Last day a period starting on `start` must reach to last "1 month" (see module doc)."""
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    month_days = calendar.monthrange(year, month)[1]
    if start.day > month_days:
        return date(year, month, month_days)
    return date(year, month, start.day) - timedelta(days=1)


def _full_month(period: _Period) -> bool:
    if period.start is not None and period.end is not None:
        return period.end >= one_month_end(period.start)
    return period.days is not None and period.days >= DAYS_SURELY_A_MONTH


# --- building entitlements -----------------------------------------------------------------


@dataclass
class _Draft:
    policy_id: PolicyId
    lines: list[str] = field(default_factory=list)
    hedged: bool = False

    def line(self, text: str, hedge: bool = False) -> None:
        self.lines.append(text)
        self.hedged = self.hedged or hedge

    def reason(self, code: ReasonCode, text: str) -> Reason:
        return Reason(self.policy_id, code, text)

    def done(self, amount: int | None, next_step: str, confirmed: bool = True) -> Entitlement:
        return Entitlement(
            policy_id=self.policy_id,
            amount_vnd=amount,
            confirmed_amount=confirmed and amount is not None,
            breakdown=list(self.lines),
            next_step=next_step,
            hedged=self.hedged or amount is None,
        )


Outcome = Entitlement | Reason


def _duration_line(d: _Draft, period: _Period) -> None:
    if period.days is None:
        return
    if period.start is not None and period.end is not None:
        text = ngettext(
            "Duration: {days} consecutive day ({start} – {end}).",
            "Duration: {days} consecutive days ({start} – {end}).",
            period.days,
        ).format(days=period.days, start=day(period.start), end=day(period.end))
    else:
        text = ngettext("Duration: {days} consecutive day.", "Duration: {days} consecutive days.", period.days).format(
            days=period.days
        )
    d.line(text)


def _check_window(d: _Draft, period: _Period, first: date, last: date) -> Reason | None:
    if period.start is None:
        # Khoản 5, 8, 9 (arts) and 10 count the days inside the window; khoản 4 also asks for a start inside it.
        inside = d.policy_id in _COUNTS_INSIDE or d.policy_id == PolicyId.F0_F1
        condition = (
            _("Condition: the days counted are those between {first} and {last}.")
            if inside
            else _("Condition: it must have started between {first} and {last}.")
        )
        d.line(condition.format(first=day(first), last=day(last)), hedge=True)
        return None
    if not first <= period.start <= last:
        return d.reason(
            ReasonCode.OUTSIDE_WINDOW,
            _("Started on {start}, outside the period {first} – {last}.").format(
                start=day(period.start), first=day(first), last=day(last)
            ),
        )
    if period.from_first:
        d.line(_("Only the days from {first} are counted.").format(first=day(first)), hedge=True)
    if period.clipped:
        d.line(_("Only the days up to {last} are counted.").format(last=day(last)), hedge=True)
    elif period.ongoing and period.end is not None:
        d.line(_("Counted up to {date}: no end date was given.").format(date=day(period.end)), hedge=True)
    return None


def _check_covid(d: _Draft, profile: Profile) -> Reason | None:
    if profile.due_to_covid_measures is False:
        return d.reason(ReasonCode.NOT_COVID_RELATED, _("It was not caused by COVID-19 prevention measures."))
    if profile.due_to_covid_measures is None:
        d.line(
            _(
                "Condition to confirm: it was caused by COVID-19 prevention measures (an authority's "
                "order, medical isolation, lockdown or a Directive 16 area)."
            ),
            hedge=True,
        )
    return None


def _too_short(d: _Draft, minimum: int, days: int) -> Reason:
    return d.reason(
        ReasonCode.TOO_SHORT,
        ngettext(
            "Shorter than {minimum} consecutive days (only {days} day).",
            "Shorter than {minimum} consecutive days (only {days} days).",
            days,
        ).format(minimum=minimum, days=days),
    )


def _min_days_condition(d: _Draft, minimum: int) -> None:
    d.line(_("Condition to confirm: at least {minimum} consecutive days.").format(minimum=minimum), hedge=True)


def deadline_passed(today: date) -> str | None:
    """The note that QĐ 33's filing deadline has passed, once it has."""
    if today <= DOSSIER_DEADLINE:
        return None
    return _(
        "Note: the filing deadline ({deadline}) has passed; ask the receiving office whether it still accepts dossiers."
    ).format(deadline=day(DOSSIER_DEADLINE))


def _deadline_step(text: str, today: date) -> str:
    """Next step with the QĐ 33 filing deadline, noting when it has passed."""
    step = text.format(deadline=day(DOSSIER_DEADLINE))
    if (note := deadline_passed(today)) is not None:
        step += " " + note
    return step


def _not_insured(policy_id: PolicyId) -> Reason:
    return Reason(
        policy_id,
        ReasonCode.NOT_COVERED,
        _("Only for workers with a labour contract and compulsory social insurance."),
    )


# --- the policies --------------------------------------------------------------------------


def _suspension(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 4: 15 consecutive days or more; 1.855.000 ₫ under one month, 3.710.000 ₫ from one month."""
    d = _Draft(PolicyId.SUSPENSION)
    if ep.group is not Group.EMPLOYEE_SI:
        return _not_insured(d.policy_id)
    period = _resolve(ep.start, ep.end, ep.days, WINDOW_END, today)
    _duration_line(d, period)
    if reason := _check_window(d, period, WINDOW_START, WINDOW_END) or _check_covid(d, profile):
        return reason
    next_step = _deadline_step(
        _(
            "Ask your employer to list you on Form 05 (Mẫu số 05) for the social insurance office to "
            "confirm, then to file the dossier with the district People's Committee where it is "
            "located. Deadline: {deadline}."
        ),
        today,
    )
    short, long = vnd(SUSPENSION_SHORT_VND), vnd(SUSPENSION_LONG_VND)
    if period.days is None:
        d.line(
            _("Amount: {short} for {minimum} consecutive days to under 1 month, {long} for 1 month or more.").format(
                short=short, long=long, minimum=MIN_SUSPENSION_DAYS
            ),
            hedge=True,
        )
        return d.done(None, next_step)
    if period.days < MIN_SUSPENSION_DAYS:
        return _too_short(d, MIN_SUSPENSION_DAYS, period.days)
    if _full_month(period):
        d.line(_("1 month or more: {amount}.").format(amount=long))
        return d.done(SUSPENSION_LONG_VND, next_step)
    d.line(
        _("From {minimum} consecutive days to under 1 month: {amount}.").format(
            minimum=MIN_SUSPENSION_DAYS, amount=short
        )
    )
    if period.start is None and period.days == DAYS_SURELY_A_MONTH - 1:
        # 30 days is a full month for some start dates only: ask for the dates.
        d.line(
            _("If the period covers a full calendar month the amount is {amount}: give the exact dates.").format(
                amount=long
            )
        )
    return d.done(SUSPENSION_SHORT_VND, next_step)


def _fixed_after_min_days(
    d: _Draft, ep: Episode, profile: Profile, today: date, min_days: int, amount: int, step: str
) -> Outcome:
    """A one-off amount once the situation lasted `min_days` inside the window (khoản 5, khoản 9 arts)."""
    period = _resolve(ep.start, ep.end, ep.days, WINDOW_END, today, first=_counting_start(d.policy_id))
    _duration_line(d, period)
    if reason := _check_window(d, period, WINDOW_START, WINDOW_END) or _check_covid(d, profile):
        return reason
    if period.days is None:
        _min_days_condition(d, min_days)
    elif period.days < min_days:
        return _too_short(d, min_days, period.days)
    d.line(_("One-off support: {amount}.").format(amount=vnd(amount)))
    return d.done(amount, _deadline_step(step, today))


def _work_stoppage(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 5: isolation or lockdown of 14 days or more; 1.000.000 ₫."""
    d = _Draft(PolicyId.WORK_STOPPAGE)
    if ep.group is not Group.EMPLOYEE_SI:
        return _not_insured(d.policy_id)
    step = _(
        "Ask your employer to list you on Form 06 (Mẫu số 06) for the social insurance office to "
        "confirm, then to file the dossier with the district People's Committee where it is "
        "located. Deadline: {deadline}."
    )
    return _fixed_after_min_days(d, ep, profile, today, MIN_ISOLATION_DAYS, WORK_STOPPAGE_VND, step)


def _termination(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 6: contract ended inside the window, no unemployment benefit; 3.710.000 ₫."""
    d = _Draft(PolicyId.TERMINATION)
    if ep.group is not Group.EMPLOYEE_SI:
        return _not_insured(d.policy_id)
    if profile.receives_unemployment_benefit:
        return d.reason(
            ReasonCode.NOT_COVERED,
            _(
                "This support is only for workers who are not entitled to unemployment benefit; someone who "
                "receives (or received) unemployment benefit for this job does not get it."
            ),
        )
    ended = ep.start or ep.end
    if ended is None:
        d.line(
            _("Condition: the contract must have ended between {first} and {last}.").format(
                first=day(WINDOW_START), last=day(WINDOW_END)
            ),
            hedge=True,
        )
    elif not WINDOW_START <= ended <= WINDOW_END:
        return d.reason(
            ReasonCode.OUTSIDE_WINDOW,
            _("The contract ended on {date}, outside the period {first} – {last}.").format(
                date=day(ended), first=day(WINDOW_START), last=day(WINDOW_END)
            ),
        )
    else:
        d.line(_("Contract ended on {date}.").format(date=day(ended)))
    if reason := _check_covid(d, profile):
        return reason
    d.line(_("One-off support: {amount}.").format(amount=vnd(TERMINATION_VND)))
    next_step = _deadline_step(
        _(
            "File Form 07 (Mẫu số 07) with a copy of the ended contract or the termination decision "
            "and of your social insurance book, at the Employment Service Centre (Trung tâm Dịch vụ "
            "việc làm) of the province where the contract ended: in person, by post or at "
            "ncovi.dichvucong.gov.vn. Processing takes 5 working days. Deadline: {deadline}."
        ),
        today,
    )
    return d.done(TERMINATION_VND, next_step)


def _arts(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 9 (arts): public performing-arts employee suspended 15 days or more; 3.710.000 ₫."""
    step = _(
        "Your performing-arts unit lists the eligible staff and sends the list to the provincial "
        "Department of Culture, Sports and Tourism where it has its head office. Deadline: {deadline}."
    )
    d = _Draft(PolicyId.ARTS_TOUR_GUIDE)
    if profile.public_arts_unit is False:
        return d.reason(
            ReasonCode.NOT_COVERED,
            _(
                "Only for public employees of public performing-arts units; someone who performs freelance or for "
                "a private troupe is not covered (the province's free-worker support may apply)."
            ),
        )
    return _fixed_after_min_days(d, ep, profile, today, MIN_ARTS_DAYS, ARTS_TOUR_GUIDE_VND, step)


def _tour_guide(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 9 (tour guides): valid card + contract or association, or an on-site guide; 3.710.000 ₫."""
    d = _Draft(PolicyId.ARTS_TOUR_GUIDE)
    if ep.start is not None:
        # No duration condition is known for guides: only check when the dates were given.
        period = _resolve(ep.start, ep.end, ep.days, WINDOW_END, today)
        if reason := _check_window(d, period, WINDOW_START, WINDOW_END):
            return reason
    card = profile.has_tour_guide_card
    onsite = profile.onsite_guide_assigned_by_site
    if card is False and not onsite:
        return d.reason(ReasonCode.MISSING_CONDITION, _("A valid tour guide card is required."))
    if card and profile.tour_guide_contract_or_association is False and not onsite:
        return d.reason(
            ReasonCode.MISSING_CONDITION,
            _(
                "A card-holding guide needs a labour contract with a travel or guiding business, or "
                "membership of a tour guide association."
            ),
        )
    if card and profile.tour_guide_contract_or_association:
        d.line(_("Valid tour guide card, with a labour contract or association membership."))
    elif onsite:
        # policy-facts §3.9: which text adds on-site guides is UNCONFIRMED.
        d.line(
            _(
                "On-site guide assigned by the body managing the tourist site: the exact conditions "
                "must be confirmed with the provincial tourism authority."
            ),
            hedge=True,
        )
    else:
        d.line(
            _(
                "Condition to confirm: a valid tour guide card and a labour contract with a travel or "
                "guiding business, or membership of a tour guide association."
            ),
            hedge=True,
        )
    d.line(_("One-off support: {amount}.").format(amount=vnd(ARTS_TOUR_GUIDE_VND)))
    next_step = _deadline_step(
        _(
            "Apply to the provincial tourism authority that issued your guide card (on-site guides: "
            "the tourism authority of the province where the site is). Deadline: {deadline}."
        ),
        today,
    )
    return d.done(ARTS_TOUR_GUIDE_VND, next_step)


def _household(ep: Episode, profile: Profile, today: date) -> Outcome:
    """Khoản 10: stopped 15 consecutive days or more at an authority's request; 3.000.000 ₫ per household."""
    d = _Draft(PolicyId.HOUSEHOLD_BUSINESS)
    if profile.has_registration_or_nq126_category is False:
        return d.reason(
            ReasonCode.MISSING_CONDITION,
            _(
                "The household needs business and tax registration, or must be one of the groups added "
                "by NQ 126 (in the tax office's directory, street vending, itinerant or seasonal trade, "
                "low-income services, farming, forestry, fishery or salt-making)."
            ),
        )
    period = _resolve(ep.start, ep.end, ep.days, WINDOW_END, today, first=_counting_start(d.policy_id))
    _duration_line(d, period)
    if reason := _check_window(d, period, WINDOW_START, WINDOW_END) or _check_covid(d, profile):
        return reason
    if profile.has_registration_or_nq126_category is None:
        d.line(
            _(
                "Condition to confirm: business and tax registration, or one of the groups added by "
                "NQ 126 (street vending, itinerant or seasonal trade, low-income services, …)."
            ),
            hedge=True,
        )
    if period.days is None:
        _min_days_condition(d, MIN_HOUSEHOLD_DAYS)
    elif period.days < MIN_HOUSEHOLD_DAYS:
        return _too_short(d, MIN_HOUSEHOLD_DAYS, period.days)
    d.line(_("{amount} per household, paid once.").format(amount=vnd(HOUSEHOLD_VND)))
    next_step = _deadline_step(
        _(
            "Send Form 11 (Mẫu số 11) to the People's Committee of the commune where the household "
            "does business, in person, by post or online. The commune, the tax office, the district "
            "and the province review it (about 9 working days). Deadline: {deadline}."
        ),
        today,
    )
    return d.done(HOUSEHOLD_VND, next_step)


def _free_worker(ep: Episode, profile: Profile, scheme: FreeWorkerScheme, today: date) -> Outcome:
    """Khoản 12: criteria and amount set by the province (`FreeWorkerScheme`)."""
    d = _Draft(PolicyId.FREE_WORKER)
    if profile.due_to_covid_measures is False:  # the job lost to an accident or an illness, not to the measures
        return d.reason(ReasonCode.NOT_COVID_RELATED, _("It was not caused by COVID-19 prevention measures."))
    if scheme.requires_residence and profile.resides_in_province is False:
        return d.reason(ReasonCode.MISSING_CONDITION, _("You must live legally in the province."))
    if profile.in_listed_occupation is False:
        return d.reason(
            ReasonCode.MISSING_CONDITION,
            _("Your job is not on the province's list of supported occupations."),
        )
    if scheme.requires_residence and profile.resides_in_province is None:
        d.line(_("Condition to confirm: legal residence (permanent or temporary) in the province."), hedge=True)
    if profile.in_listed_occupation is None:
        d.line(_("Condition to confirm: a job on the province's list of supported occupations."), hedge=True)
    if scheme.decision:
        d.line(_("Based on {decision}.").format(decision=scheme.decision))
    # The provinces' decisions under khoản 12 cover job losses from 01/5 to 31/12/2021 (as the
    # application form counts them): a date outside is refused, days after 2021 are not counted.
    period = _resolve(ep.start, ep.end, ep.days, WINDOW_END, today)
    outside = period.start is not None and not WINDOW_START <= period.start <= WINDOW_END
    counts_days = scheme.mode == "per_day" and period.start is not None  # says which days it counted
    if (outside or counts_days) and (reason := _check_window(d, period, WINDOW_START, WINDOW_END)):
        return reason
    next_step = _(
        "Apply to the People's Committee of the commune or ward where you live; it reviews and lists "
        "the eligible workers and the provincial People's Committee decides."
    )
    amount: int | None = None
    rate = scheme.amount_vnd
    if scheme.mode == "lump" and rate is not None:
        amount = rate
        d.line(_("Province's amount: {amount} per person, paid once.").format(amount=vnd(rate)))
    elif scheme.mode == "per_day" and rate is not None:
        cap = scheme.max_days
        if period.days is None:
            if cap is not None:
                text = _("{rate} per day without work, at most {cap} days.").format(rate=vnd(rate), cap=cap)
            else:
                text = _("{rate} per day without work.").format(rate=vnd(rate))
            d.line(text, hedge=True)
        else:
            counted = period.days if cap is None else min(period.days, cap)
            amount = counted * rate
            d.line(_("{days} days × {rate} = {amount}.").format(days=counted, rate=vnd(rate), amount=vnd(amount)))
            if counted < period.days:
                d.line(_("The province pays at most {cap} days.").format(cap=cap))
    else:
        d.line(_("The amount is set by the provincial People's Committee."), hedge=True)
    return d.done(amount, next_step)


def _episode_outcomes(ep: Episode, profile: Profile, scheme: FreeWorkerScheme, today: date) -> list[Outcome]:
    outcomes: list[Outcome] = []
    situation_rules = {
        EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE: _suspension,
        EmployeeSituation.WORK_STOPPAGE: _work_stoppage,
        EmployeeSituation.TERMINATED_NO_UI_BENEFIT: _termination,
    }
    if ep.situation is not None:
        outcomes.append(situation_rules[ep.situation](ep, profile, today))
    if ep.group is Group.ARTS_EMPLOYEE:
        outcomes.append(_arts(ep, profile, today))
    elif ep.group is Group.TOUR_GUIDE:
        outcomes.append(_tour_guide(ep, profile, today))
    elif ep.group is Group.HOUSEHOLD_BUSINESS:
        outcomes.append(_household(ep, profile, today))
    elif ep.group is Group.FREE_WORKER:
        outcomes.append(_free_worker(ep, profile, scheme, today))
    return outcomes


def _wage_loan_applies(ep: Episode, today: date) -> bool:
    """Khoản 11: the employer may borrow for workers stopped ≥ 15 consecutive days, 01/5/2021–31/3/2022."""
    if ep.group is not Group.EMPLOYEE_SI or ep.situation is not EmployeeSituation.WORK_STOPPAGE:
        return False
    period = _resolve(ep.start, ep.end, ep.days, WAGE_LOAN_WINDOW_END, today, first=WINDOW_START)
    if period.start is None or period.days is None:
        return False
    return WINDOW_START <= period.start <= WAGE_LOAN_WINDOW_END and period.days >= MIN_WAGE_LOAN_DAYS


# --- F0/F1 and children ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """A piece of the children's entitlement (child F0/F1, or pregnancy / children under 6)."""

    amount: int
    confirmed: bool
    lines: list[str]
    next_step: str
    hedged: bool


def _covid(profile: Profile, today: date) -> tuple[Outcome | None, _Part | Reason | None]:
    """Khoản 8 (80.000 ₫/day, F0 ≤ 45 days, F1 ≤ 21 days) and the child F0/F1 part of khoản 7."""
    if profile.covid_status is CovidStatus.NONE:
        return None, None
    f0 = profile.covid_status is CovidStatus.F0
    d = _Draft(PolicyId.F0_F1)
    # Treated or isolated from a day before the window for so many days: those from 27/4 count. A day alone
    # ("bị F0 hồi tháng 3") is when it happened, not a stay that lasts until today.
    first = COVID_WINDOW_START if profile.covid_days is not None else None
    period = _resolve(profile.covid_start, None, profile.covid_days, WINDOW_END, today, first=first)
    if reason := _check_window(d, period, COVID_WINDOW_START, WINDOW_END):
        child_reason = replace(reason, policy_id=PolicyId.CHILDREN) if profile.is_child_under_16 else None
        return reason, child_reason
    cap = F0_MAX_DAYS if f0 else F1_MAX_DAYS
    rate = vnd(F0F1_DAILY_VND)
    amount: int | None = None
    if period.days is None:
        d.line(
            _("Meals: {rate} per day for the actual days, at most {cap} days.").format(rate=rate, cap=cap),
            hedge=True,
        )
    else:
        counted = min(period.days, cap)
        amount = counted * F0F1_DAILY_VND
        label = _("Treated for COVID-19 (F0)") if f0 else _("Medical isolation (F1)")
        d.line(
            _("{label}: {days} days × {rate} = {amount}.").format(
                label=label, days=counted, rate=rate, amount=vnd(amount)
            )
        )
        if period.days > cap:
            d.line(_("At most {cap} days are paid ({days} days declared).").format(cap=cap, days=period.days))
    if profile.is_elderly_or_severe_disability:
        d.line(
            _(
                "Plus {amount} for an elderly person or a person with a severe disability "
                "(QĐ 33/2021/QĐ-TTg; the commune confirms the group under Nghị định 20/2021/NĐ-CP)."
            ).format(amount=vnd(ELDERLY_F0F1_VND))
        )
        if amount is not None:
            amount += ELDERLY_F0F1_VND
    if f0:
        step = _(
            "Keep the discharge paper (giấy ra viện), the receipt for meals paid at the treatment "
            "facility and a copy of an identity paper (birth certificate, passport, CMND/CCCD or health "
            "insurance card). Patients still in treatment are listed by the facility; otherwise ask the "
            "commune People's Committee where to file."
        )
    else:
        step = _(
            "Keep the isolation decision, the certificate of completed isolation (giấy hoàn thành việc "
            "cách ly) and a copy of an identity paper (birth certificate, passport, CMND/CCCD or health "
            "insurance card); no meal receipt is needed. People still in isolation are listed by the "
            "facility; otherwise ask the commune People's Committee where to file."
        )
    if profile.is_elderly_or_severe_disability:
        step += " " + _(
            "For the extra support, add the disability certificate (giấy xác nhận mức độ khuyết tật) "
            "if you have a disability."
        )
    child: _Part | None = None
    if profile.is_child_under_16:
        child = _Part(
            amount=CHILD_F0F1_VND,
            confirmed=True,
            lines=[_("Child under 16 who is F0 or F1: {amount}, paid once.").format(amount=vnd(CHILD_F0F1_VND))],
            next_step=_("Filed together with the F0/F1 meal support dossier."),
            hedged=period.start is None,
        )
    return d.done(amount, step), child


def _worker_supplement(profile: Profile) -> _Part:
    """Khoản 7 for workers in policies 4 and 6: the amount is UNCONFIRMED, so always hedged.

    `amount` keeps the expected figure for internal comparison only; no line states it, because
    policy-facts marks it UNCONFIRMED (the policy page says the same).
    """
    count = int(profile.pregnant) + profile.children_under_6
    lines: list[str] = []
    if profile.pregnant:
        lines.append(_("Pregnant worker: an extra support."))
    if profile.children_under_6:
        lines.append(
            ngettext(
                "{count} child under 6: an extra support for the child.",
                "{count} children under 6: an extra support for each child.",
                profile.children_under_6,
            ).format(count=profile.children_under_6)
        )
    lines.append(
        _(
            "The amount of this extra support is not confirmed by the texts HoTro has: ask the office that "
            "receives your dossier."
        )
    )
    return _Part(
        amount=count * CHILD_SUPPLEMENT_VND,
        confirmed=False,
        lines=lines,
        next_step=_(
            "Attach to your main dossier: proof of pregnancy, and for each child under 6 the birth "
            "certificate, the adoption certificate or the substitute-care decision."
        ),
        hedged=True,
    )


def _merge_parts(parts: list[_Part]) -> Entitlement:
    return Entitlement(
        policy_id=PolicyId.CHILDREN,
        amount_vnd=sum(p.amount for p in parts),
        confirmed_amount=all(p.confirmed for p in parts),
        breakdown=[line for p in parts for line in p.lines],
        next_step=" ".join(p.next_step for p in parts),
        hedged=any(p.hedged for p in parts),
    )


# --- evaluation ----------------------------------------------------------------------------


def _rank(e: Entitlement) -> tuple[bool, int, bool, int]:
    """Highest known amount first; then unhedged; then the lower clause."""
    return (e.amount_vnd is not None, e.amount_vnd or 0, not e.hedged, -CLAUSE[PolicyId(e.policy_id)])


def evaluate(profile: Profile, scheme: FreeWorkerScheme | None = None, today: date | None = None) -> Assessment:
    """What `profile` may receive, and which considered policies it may not (see module doc)."""
    scheme = scheme or FreeWorkerScheme()
    today = today or today_local()
    received = {PolicyId(p) for p in profile.already_received}

    # Best outcome per policy over all episodes: an entitlement beats a reason.
    best: dict[PolicyId, Outcome] = {}
    related: set[PolicyId] = set()

    def offer(outcome: Outcome) -> None:
        pid = PolicyId(outcome.policy_id)
        current = best.get(pid)
        if current is None or (
            isinstance(outcome, Entitlement) and (isinstance(current, Reason) or _rank(outcome) > _rank(current))
        ):
            best[pid] = outcome

    for ep in profile.episodes():
        for outcome in _episode_outcomes(ep, profile, scheme, today):
            offer(outcome)
        if _wage_loan_applies(ep, today):
            related.add(PolicyId.WAGE_LOAN)

    covid_outcome, child_part = _covid(profile, today)
    if covid_outcome is not None:
        offer(covid_outcome)

    def blocked(pid: PolicyId, code: ReasonCode, text: str) -> None:
        best[pid] = Reason(pid, code, text)

    # Each policy at most once.
    for pid in list(best):
        if pid in received:
            blocked(
                pid,
                ReasonCode.ALREADY_RECEIVED,
                _("You have already received this support; each policy is paid only once."),
            )

    # One regime of one-time cash per worker.
    candidates = [e for pid, e in best.items() if pid in ONE_TIME_REGIMES and isinstance(e, Entitlement)]
    qualifies_for_base = any(PolicyId(e.policy_id) in SUPPLEMENT_BASES for e in candidates)
    prior_cash = profile.received_one_time_cash or bool(received & ONE_TIME_REGIMES)
    kept: Entitlement | None = None
    if prior_cash:
        for e in candidates:
            blocked(
                PolicyId(e.policy_id),
                ReasonCode.ONE_REGIME_ONLY,
                _("You have already received a one-time cash support; a worker can receive only one."),
            )
    elif candidates:
        kept = max(candidates, key=_rank)
        for e in candidates:
            if e is kept:
                continue
            if e.amount_vnd is None:
                text = _(
                    "Only one one-time cash support can be received; {chosen} is kept because this amount is not known."
                )
            else:
                text = _("Only one one-time cash support can be received; the higher one is kept: {chosen}.")
            blocked(
                PolicyId(e.policy_id),
                ReasonCode.ONE_REGIME_ONLY,
                text.format(chosen=policy_title(kept.policy_id)),
            )

    # Policy 7: child F0/F1 part, and the pregnancy / under-6 supplement riding on regime 4 or 6.
    parts: list[_Part] = []
    child_reason: Reason | None = None
    if isinstance(child_part, Reason):
        child_reason = child_part
    elif child_part is not None:
        parts.append(child_part)
    if profile.pregnant or profile.children_under_6:
        if kept is not None:
            base_ok = PolicyId(kept.policy_id) in SUPPLEMENT_BASES
        elif prior_cash:
            # Unknown earlier regime: assume it was the one this profile qualifies for.
            base_ok = bool(received & SUPPLEMENT_BASES) or (
                qualifies_for_base and not received & (ONE_TIME_REGIMES - SUPPLEMENT_BASES)
            )
        else:
            base_ok = False
        if base_ok:
            parts.append(_worker_supplement(profile))
        elif not parts:
            child_reason = child_reason or Reason(
                PolicyId.CHILDREN,
                ReasonCode.NOT_COVERED,
                _(
                    "The extra support for pregnancy and children under 6 is only for workers supported "
                    "for contract suspension, unpaid leave or termination."
                ),
            )
    if parts:
        offer(_merge_parts(parts))
    elif child_reason is not None:
        offer(child_reason)
    if PolicyId.CHILDREN in received and PolicyId.CHILDREN in best:
        blocked(
            PolicyId.CHILDREN,
            ReasonCode.ALREADY_RECEIVED,
            _("You have already received this support; each policy is paid only once."),
        )

    ordered = sorted(best.values(), key=lambda o: CLAUSE[PolicyId(o.policy_id)])
    related_in_order: list[PolicyId] = sorted(related, key=CLAUSE.__getitem__)
    return Assessment(
        entitlements=[o for o in ordered if isinstance(o, Entitlement)],
        ineligible=[o for o in ordered if isinstance(o, Reason)],
        related_employer_policies=list(related_in_order),
    )
