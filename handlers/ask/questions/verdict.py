"""Answers computed by the rules engine from the facts in a question.

One rules engine for the questionnaire and free text: the facts become an
eligibility_rules.Profile, `evaluate` decides, and this module only words the result:
the verdict first ("Có." / "Không." / "Có thể, nếu …"), the amount, the rule that
decided in one line, and what is still missing. A figure that is not confirmed
(`confirmed_amount=False`) is never stated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from handlers.ask.eligibility_rules import (
    CHILD_F0F1_VND,
    F0_MAX_DAYS,
    F0F1_DAILY_VND,
    F1_MAX_DAYS,
    MIN_ARTS_DAYS,
    MIN_HOUSEHOLD_DAYS,
    MIN_ISOLATION_DAYS,
    MIN_SUSPENSION_DAYS,
    WINDOW_END,
    WINDOW_START,
    WORK_STOPPAGE_VND,
    Assessment,
    CovidStatus,
    EmployeeSituation,
    Entitlement,
    Group,
    PolicyId,
    Profile,
    Reason,
    ReasonCode,
    counted_days,
    evaluate,
    policy_title,
)
from handlers.ask.questions.facts import Covid, Facts, Who, extract, farming_household, folded, street_vendor
from messages.fmt import vnd
from messages.free_worker_scheme import FreeWorkerScheme
from messages.i18n import _
from messages.normalize import nfc

# Topics the rules engine can decide from facts in a message.
RULE_TOPICS = frozenset(
    {
        PolicyId.HOUSEHOLD_BUSINESS,
        PolicyId.SUSPENSION,
        PolicyId.WORK_STOPPAGE,
        PolicyId.TERMINATION,
        PolicyId.F0_F1,
        PolicyId.CHILDREN,
        PolicyId.ARTS_TOUR_GUIDE,
        PolicyId.FREE_WORKER,
    }
)
_MIN_DAYS = {
    PolicyId.HOUSEHOLD_BUSINESS: MIN_HOUSEHOLD_DAYS,
    PolicyId.SUSPENSION: MIN_SUSPENSION_DAYS,
    PolicyId.WORK_STOPPAGE: MIN_ISOLATION_DAYS,
    PolicyId.ARTS_TOUR_GUIDE: MIN_ARTS_DAYS,
}
_SITUATIONS = {
    PolicyId.SUSPENSION: EmployeeSituation.SUSPENSION_OR_UNPAID_LEAVE,
    PolicyId.WORK_STOPPAGE: EmployeeSituation.WORK_STOPPAGE,
    PolicyId.TERMINATION: EmployeeSituation.TERMINATED_NO_UI_BENEFIT,
}
# An employee's situation named in words, as the policy it belongs to (folded).
_SITUATION_WORDS = (
    # "cho nghỉ từ 20/7 đến 15/9 không lương": the dates may come between, within the clause.
    (re.compile(r"\b(tam hoan|nghi(?: [^\s,.;]+){0,6}? (?:khong|ko|k) (?:huong )?luong)\b"), PolicyId.SUSPENSION),
    (re.compile(r"\bngung viec\b"), PolicyId.WORK_STOPPAGE),
    (
        # "cho nghỉ luôn", "nghỉ việc hẳn", "cắt giảm nhân sự": let go for good, the contract ended.
        re.compile(
            r"\b(cham dut hop dong|cham dut hdld|cho thoi viec|sa thai|duoi viec|cat giam (nhan su|lao dong)"
            r"|nghi (viec )?(luon|han)|mat viec (luon|han))\b"
        ),
        PolicyId.TERMINATION,
    ),
)


WORKER_SITUATIONS = frozenset(pid for _pattern, pid in _SITUATION_WORDS)
# "được thêm cho con không", "thêm tiền cho bé": the extra for a child is what is asked.
_CHILD_EXTRA = re.compile(r"\bthem\b(?:\s+\w+){0,3}\s+(?:cho )?(?:con|be|chau)\b")


def asks_child_extra(text: str, facts: Facts) -> bool:
    return facts.covid is None and any(a.years < 6 for a in facts.ages) and bool(_CHILD_EXTRA.search(folded(text)))


def _situations_named(text: str) -> list[PolicyId]:
    """The employees' situations the message names in words, in _SITUATION_WORDS's order."""
    key = folded(text)
    return [pid for pattern, pid in _SITUATION_WORDS if pattern.search(key)]


def worker_situation(text: str) -> PolicyId | None:
    return next(iter(_situations_named(text)), None)


def only_worker_situation(text: str) -> PolicyId | None:
    """The one employee's situation the message names in words; None for none or several."""
    named = _situations_named(text)
    return named[0] if len(named) == 1 else None


# An authority's order or a COVID measure named in the message ("xã bắt đóng cửa", "phong tỏa").
_COVID_CAUSE = re.compile(
    r"\b(bat|buoc|yeu cau|lenh|phai) (dong cua|nghi|dung|tam dung|ngung)|phong toa|gian cach|chi thi (15|16)"
    r"|cach ly|theo (yeu cau|lenh|quyet dinh)|vi dich|do dich|vi covid|do covid|chong dich"
)
# Work stopped by one's own choice, an accident, an illness or a maternity leave (the social insurance's
# "chế độ thai sản") is not stopped by a COVID-19 prevention measure.
_NOT_COVID = re.compile(
    r"\btu xin nghi|\btu nghi viec|khong (bi )?(dong cua|phong toa|cach ly)|khong (lien quan|do|vi) (dich|covid)"
    r"|\b(?:te|nga) gay\b|\bgay (?:chan|tay)\b|\btai nan\b|\b(?:bi|bi benh) (?:om|dau|benh)\b"
    r"|\b(?:nghi|che do) thai san\b|\bnghi (?:sinh|de)\b"
)
# "tiệm không có giấy phép", "chưa đăng ký kinh doanh": without registration only NQ 126's groups are supported.
_UNREGISTERED = re.compile(
    r"\b(?:khong|chua)\s+(?:co\s+)?(?:giay phep|dang ky kinh doanh|dang ky kd|dkkd|ma so thue|mst|dang ky)\b"
)
_CARD_EXPIRED = re.compile(r"\bthe\b.{0,30}\b(het han|qua han|het hieu luc)|\bkhong co the\b")
_CARD_VALID = re.compile(r"\bthe\b.{0,30}\b(con han|con hieu luc)|\bco the (huong dan vien|hdv|nhung|con han)\b")
_NO_CONTRACT = re.compile(r"\bkhong (ky |co )?hop dong")
_NO_ASSOCIATION = re.compile(r"\bkhong (vao|tham gia|la hoi vien|co) (hoi|chi hoi)|\bkhong (vao|la thanh vien|co) hoi")
_CONTRACT_OR_ASSOCIATION = re.compile(r"\bco hop dong|\bhoi vien\b|\bvao hoi\b|\bthanh vien (cua )?hoi\b")
# Someone else's pregnancy ("vợ tôi đang mang thai"): the supplement is the pregnant worker's own.
_OTHER_PREGNANT = re.compile(
    r"\b(vo|chi|em gai|con gai|me)( toi| em| minh| anh)? (dang |cung )?(mang thai|co bau|dang bau|co thai)"
)
_PRIVATE_ARTS = re.compile(
    r"\b(tu nhan|ngoai cong lap|khong phai vien chuc|khong lam nha nuoc|tu do|chay show|dien thue"
    r"|hat (?:dam cuoi|dam|phong tra|rong|thue|quan|cafe|ca phe))\b"
)  # a private troupe, or freelance: "nghệ sĩ tự do", "hát đám cưới", "chạy show"
_PREGNANT = re.compile(r"mang thai|co bau|dang bau|co thai")
_ASKS_CHILD_EXTRA = re.compile(
    r"\btre em\b|\bnhu tre\b|\b1 trieu\b|1\.000\.000|\bkhoan\b.*\b(nua|them)\b|\bthem\b.*\btien\b"
)
_CHILD_WORDS = re.compile(
    r"\b(tre em|tre so sinh|tre nho|con (toi|em|minh|nha|cua|trai|gai|be)|chau (toi|em|minh|nha|be)"
    r"|be (nha|con|gai|trai)|dua nho|hoc sinh|tre)\b|\bbe \d"
)
# "có được 3 triệu" asks yes or no even without "không"; "có được bao nhiêu / gì" does not.
_CO_DUOC = re.compile(r"\bco (duoc|phai)\b")
_NOT_YES_NO = re.compile(r"\b(bao nhieu|may|gi|nhung gi|the nao|nhu the nao|o dau|khi nao|bao lau|ra sao)\b")
_YES_NO = re.compile(
    r"\b(co|duoc|phai|dung|du)\b[^,.;?!]*\b(khong|chua|hong|hem|ko)\b|\bduoc (khong|ko|hong)\b|\bco phai\b"
    r"|\b(khong|ko|chua)\s*(a|ak|ha|nhi|vay|nhe|the|ban|ad)?\s*[?]*\s*$"
)


# After "vợ em đang có bầu 5 tháng": a situation with no subject of its own ("…, bị công ty tạm hoãn hợp đồng")
# is hers: she is the worker. "…, tôi bị tạm hoãn" names another.
_HER_SITUATION = re.compile(
    r"^[\s\d,.]*(?:(?:thang|tuan)\b[\s,.]*)?(?:(?:ma|nhung|lai|cung|con|thi|va)\s+)*(?:dang |vua |moi )?(?:bi|duoc)\b"
)


def other_pregnant(text: str) -> bool:
    """'vợ tôi đang mang thai, tôi bị tạm hoãn': someone else's pregnancy, not the worker's ('vợ em có bầu, bị công
    ty tạm hoãn hợp đồng' is the worker's own)."""
    key = folded(text)
    m = _OTHER_PREGNANT.search(key)
    return m is not None and _HER_SITUATION.match(key[m.end() :]) is None


def is_yes_no(text: str) -> bool:
    """'… có được hỗ trợ không', '… được không ạ', '… đủ điều kiện chưa'."""
    key = folded(text)
    if _YES_NO.search(key):
        return True
    m = _CO_DUOC.search(key)
    return m is not None and not _NOT_YES_NO.search(key[m.end() :])


@dataclass
class Computed:
    """A rules-decided answer: the text the citizen sees and what to offer next."""

    text: str
    decided: bool  # False: a deciding fact is missing ("Có thể, nếu …")
    policy_id: str
    verdict: str  # the opening that `text` starts with: "Có.", "Không." or "Có thể, nếu …"
    missing: list[str] = field(default_factory=list)
    amount: int | None = None  # a Yes's confirmed amount for the one person the rules considered


def _period(facts: Facts) -> tuple[date | None, date | None, int | None]:
    for r in facts.ranges:
        return r.start, r.end, None if r.end else facts.durations[0].days if facts.durations else None
    days = facts.days
    if days is not None and facts.months is not None and facts.months >= 1:
        days = max(days, 31)  # "1 tháng" is a full month (the rules read 31 days as surely one)
    return None, None, days


# Who was treated or isolated: "tôi bị cách ly F1" (the one asking), "con tôi 5 tuổi bị cách ly" (the child).
_COVID_WORDS = r"(?:cach ly|dieu tri|f0|f1|nhiem|duong tinh|mac covid)"
_SPEAKER_COVID = re.compile(rf"\b(?:toi|em|minh)\s+(?:(?:cung|dang|da|bi|la|phai)\s+)*{_COVID_WORDS}")
_CHILD_COVID = re.compile(
    rf"\b(?:con|chau|be|tre)\b(?:\s+\w+){{0,4}}?\s+(?:cung\s+)?(?:bi|la|dang|phai)\s+{_COVID_WORDS}"
)
_CHILDREN_HAD = re.compile(r"\b(?:\d|mot|hai|ba) (?:con|chau|be)\b|\bcon nho\b")  # "nhà có 2 con nhỏ"


def _speaker_isolated(text: str, facts: Facts) -> bool:
    """The one asking is the F0 or F1, and of a child only its age or existence is said."""
    t = folded(text)
    mentions_child = facts.child_under_16 or bool(_CHILD_WORDS.search(t) or _CHILDREN_HAD.search(t))
    return mentions_child and bool(_SPEAKER_COVID.search(t)) and not _CHILD_COVID.search(t)


def profile_for(
    topic: str, text: str, facts: Facts, speaker_isolated: bool = False
) -> tuple[Profile, list[str]] | None:
    """The questionnaire's Profile for what the message says, and the deciding facts it lacks.

    `speaker_isolated`: the F0 or F1 is the one asking, not the child the message mentions."""
    pid = PolicyId(topic)
    start, end, days = _period(facts)
    outside = [d for d in facts.dates if not WINDOW_START <= d <= WINDOW_END]
    if start is None and days is None and outside:
        start = outside[0]  # "nghỉ việc ngày 15/4/2021": before the window, so the rules refuse
    has_period = start is not None or days is not None
    cause = False if _NOT_COVID.search(folded(text)) else True if _COVID_CAUSE.search(folded(text)) else None
    missing: list[str] = []
    kwargs: dict[str, Any] = {"due_to_covid_measures": cause}
    if pid is PolicyId.HOUSEHOLD_BUSINESS:
        kwargs.update(group=Group.HOUSEHOLD_BUSINESS, situation_start=start, situation_end=end, days_suspended=days)
        if not has_period:
            missing.append(_("how many consecutive days the business had to stop"))
        if farming_household(text):
            kwargs["has_registration_or_nq126_category"] = True  # one of NQ 126's groups, with no registration
        elif _UNREGISTERED.search(folded(text)):
            if street_vendor(text):
                kwargs["has_registration_or_nq126_category"] = True  # one of NQ 126's groups
            else:
                missing.append(
                    _(
                        "whether the business, without registration, is one of the groups NQ 126/NQ-CP added "
                        "(street vendors, mobile or seasonal businesses, low-income services that need no "
                        "registration)"
                    )
                )
    elif pid in _SITUATIONS:
        group = Group.NONE if facts.social_insurance is False else Group.EMPLOYEE_SI
        kwargs.update(
            group=group,
            employee_situation=_SITUATIONS[pid],
            pregnant=bool(_PREGNANT.search(folded(text))) and not other_pregnant(text),
            children_under_6=sum(1 for a in facts.ages if a.years < 6 and a.who in ("con", "be", "chau")),
        )
        if pid is PolicyId.TERMINATION:
            kwargs.update(
                situation_start=start or (facts.dates[0] if facts.dates else None),
                receives_unemployment_benefit=facts.unemployment_benefit,
            )
        else:
            kwargs.update(situation_start=start, situation_end=end, days_suspended=days)
            if not has_period and group is Group.EMPLOYEE_SI:
                missing.append(_("how many consecutive days it lasted"))
    elif pid is PolicyId.ARTS_TOUR_GUIDE:
        if facts.who is Who.TOUR_GUIDE:
            key = folded(text)
            card = False if _CARD_EXPIRED.search(key) else True if _CARD_VALID.search(key) else None
            tie = False if _NO_CONTRACT.search(key) and _NO_ASSOCIATION.search(key) else None
            if tie is None and _CONTRACT_OR_ASSOCIATION.search(key):
                tie = True
            if tie is False and card is None:
                card = True  # a card without a contract or an association is refused, so is no card
            kwargs.update(group=Group.TOUR_GUIDE, has_tour_guide_card=card, tour_guide_contract_or_association=tie)
            if card is None or (card and tie is None):
                missing.append(
                    _("whether you hold a valid tour guide card with a contract or an association membership")
                )
        else:
            kwargs.update(group=Group.ARTS_EMPLOYEE, situation_start=start, situation_end=end, days_suspended=days)
            if _PRIVATE_ARTS.search(folded(text)):
                kwargs["public_arts_unit"] = False
                return Profile(**kwargs), missing
            if not has_period:
                missing.append(_("how many consecutive days the performances were suspended"))
    elif pid is PolicyId.FREE_WORKER:
        kwargs.update(group=Group.FREE_WORKER, situation_start=start, situation_end=end, days_suspended=days)
    elif pid in (PolicyId.F0_F1, PolicyId.CHILDREN):
        child = facts.child_under_16 or bool(_CHILD_WORDS.search(folded(text)))
        if facts.adult or (facts.ages and not facts.child_under_16) or speaker_isolated:
            child = False
        status = {Covid.F0: CovidStatus.F0, Covid.F1: CovidStatus.F1, None: CovidStatus.NONE}[facts.covid]
        if status is CovidStatus.NONE:
            if pid is PolicyId.CHILDREN and (situation := worker_situation(text)) is not None:
                # "con tôi 4 tuổi, tôi bị ngừng việc": the workers' extra, which rides on the situation's support.
                return profile_for(situation, text, facts)
            if pid is PolicyId.CHILDREN and not child:
                return None  # the pregnancy / under-6 supplement: the policy page says it best
            missing.append(_("whether the person was treated (F0) or isolated (F1)"))
            return Profile(), missing
        if _NO_DECISION.search(folded(text)):
            # QĐ 23 Điều 25: treated or isolated "theo quyết định của cơ quan có thẩm quyền" (home isolation too).
            missing.append(
                _(
                    "whether a competent authority decided the isolation (an isolation decision, home isolation "
                    "included; without one, ask the commune or the health station of the place of isolation)"
                )
            )
        covid_days = facts.isolation_days or facts.days  # None: only the amount depends on it, not the verdict
        kwargs = {
            "covid_status": status,
            "covid_start": start,
            "covid_days": covid_days if start is None else None,
            "is_child_under_16": child,
            "is_elderly_or_severe_disability": facts.elderly and not child,
        }
        if start is not None and end is not None:
            kwargs["covid_days"] = (end - start).days + 1
            kwargs["covid_start"] = start
    else:
        return None
    two_periods = facts.covid_days is not None and facts.rest_days is not None
    if facts.covid is not None and "covid_status" not in kwargs and two_periods and not facts.ranges:
        # "F0 12 days, and unpaid leave for 20 days": the meal money stacks, with its own days.
        # (One period only, "ngừng việc do cách ly 20 ngày", is the situation's reason, not a second claim.)
        kwargs["covid_status"] = CovidStatus.F0 if facts.covid is Covid.F0 else CovidStatus.F1
        kwargs["covid_days"] = facts.covid_days
        kwargs["is_child_under_16"] = facts.child_under_16
        if "days_suspended" in kwargs:
            kwargs["days_suspended"] = facts.rest_days
    try:
        return Profile(**kwargs), missing
    except ValueError:
        return None


def _rule_line(pid: PolicyId, days: int | None) -> str | None:
    minimum = _MIN_DAYS.get(pid)
    if minimum is None or days is None:
        return None
    return _("Rule: {days} consecutive days, at least {minimum} are required.").format(days=days, minimum=minimum)


def _amount_text(e: Entitlement) -> str:
    if e.amount_vnd is None:
        if e.policy_id == PolicyId.FREE_WORKER:
            return _("amount set by the local authority")
        return _("the amount depends on the number of days")
    if not e.confirmed_amount:
        return _("amount not confirmed yet, ask the receiving office")
    return vnd(e.amount_vnd)


def _entitlement_lines(e: Entitlement) -> list[str]:
    lines = [f"{policy_title(e.policy_id)}: {_amount_text(e)}."]
    lines += [f"– {line}" for line in e.breakdown]
    return lines


def compute(
    topic: str, text: str, facts: Facts, scheme: FreeWorkerScheme, today: date, scheme_label: str | None = None
) -> Computed | None:
    """The rules' answer to a question about `topic`, or None when the rules cannot help."""
    if topic not in RULE_TOPICS:
        return None
    if (
        topic == PolicyId.F0_F1
        and (facts.adult or facts.ages)
        and not facts.elderly
        and _ASKS_CHILD_EXTRA.search(folded(text))
    ):
        topic = PolicyId.CHILDREN  # "người lớn có được thêm 1 triệu như trẻ em không"
    speaker_isolated = topic in (PolicyId.F0_F1, PolicyId.CHILDREN) and _speaker_isolated(text, facts)
    if speaker_isolated:
        topic = PolicyId.F0_F1  # "con tôi 5 tuổi, tôi bị cách ly F1": the parent's own support
    built = profile_for(topic, text, facts, speaker_isolated)
    if built is None:
        return None
    profile, missing = built
    assessment = evaluate(profile, scheme, today=today)
    computed = _word(PolicyId(topic), profile, assessment, missing, scheme_label)
    if speaker_isolated:
        hint = _(
            "If your child is also F0 or F1, the child gets the meal support too, and {amount} once (children "
            "under 16)."
        ).format(amount=vnd(CHILD_F0F1_VND))
        computed = replace(computed, text=computed.text + "\n" + hint)
    if topic == PolicyId.F0_F1 and _stopped_work_insured(text, facts):
        # The meal money is supplementary (NQ 68 principles): an insured worker kept off work by the isolation
        # has the work stoppage support besides (khoản 5: 14 days or more).
        hint = _(
            "You pay compulsory social insurance and had to stop work for an isolation of {days} days or more: "
            "you may also get the work stoppage support, {amount} once (your employer lists you; the meal money "
            "comes on top of it)."
        ).format(days=MIN_ISOLATION_DAYS, amount=vnd(WORK_STOPPAGE_VND))
        computed = replace(computed, text=computed.text + "\n" + hint)
    return computed


# "không có quyết định cách ly", "chưa có giấy cách ly" (folded).
_NO_DECISION = re.compile(r"\b(?:khong|chua|ko) (?:co |duoc )?(?:cap )?(?:giay )?(?:quyet dinh|giay) cach ly\b")
# Kept off work: "phải nghỉ làm", "ngừng việc", "không đi làm được" (folded).
_OFF_WORK = re.compile(r"\b(?:nghi lam|ngung viec|khong (?:duoc )?di lam|nghi viec|phai nghi|cho nghi)\b")


def _stopped_work_insured(text: str, facts: Facts) -> bool:
    """An insured worker isolated (F1) 14 days or more and kept off work by it."""
    insured = facts.social_insurance is True or facts.who is Who.EMPLOYEE_SI
    days = facts.covid_days or facts.days
    isolated = facts.covid is Covid.F1 and days is not None and days >= MIN_ISOLATION_DAYS
    return insured and isolated and _OFF_WORK.search(folded(text)) is not None


# "chồng tôi F0 30 ngày, tôi F1 14 ngày": one person per clause (a comma, a full stop, "còn", "và" before at
# least two words: not the "và" of "F0 và F1").
_CLAUSES = re.compile(r"[,;.]|\s(?:còn|và)\s(?=\S+\s\S+)", re.IGNORECASE)
# "… thì được bao nhiêu", "… có được không": the question, not the person.
_QUESTION_TAIL = re.compile(
    r"\s(?:thì|vậy|nhà (?:tôi|mình|em)|(?:có )?được (?:bao|mấy|nhiêu|không|hỗ trợ|tiền)).*$", re.I
)
_PER_PERSON = frozenset({PolicyId.F0_F1, PolicyId.CHILDREN})  # the meal money and a child's or elder's extra
# A clause that names someone: F0/F1 itself ("F1 14 ngày, F0 20 ngày") or a person, read with the marks typed
# (folded, "có" is "cô", "còn" "con", "đi" "dì"); without marks only the words no other word folds to.
_PERSON = re.compile(
    r"\b(?:f0|f1|tôi|em|mình|vợ|chồng|con|mẹ|bố|bà|ông|anh|chị|cháu|bé|người|cha|cô|chú|dì|cậu|mợ|đứa|toi|chong"
    r"|nguoi|chau)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PerPerson:
    text: str
    replaces: bool  # the one-person answer would give one person's days to another: this is the answer


def per_person(text: str, scheme: FreeWorkerScheme, today: date) -> PerPerson | None:
    """Each person's F0/F1 support and the sum, when the message gives two or more people their own days
    (the meal money is per person: a family's is the sum of its members'); when it names several F0s or
    F1s without each one's days, how each is counted, instead of one answer for all."""
    rows: list[tuple[str, int]] = []
    named = 0
    for clause in (_QUESTION_TAIL.sub("", c).strip() for c in _CLAUSES.split(text)):
        facts = extract(clause)
        # "…, không có quyết định cách ly thì sao": isolation spoken of, but no one else named.
        named += facts.covid is not None and _PERSON.search(nfc(clause)) is not None
        if facts.covid is None or facts.days is None or (built := profile_for(PolicyId.F0_F1, clause, facts)) is None:
            continue
        assessment = evaluate(built[0], scheme, today=today)
        amount = sum(
            e.amount_vnd or 0 for e in assessment.entitlements if e.policy_id in _PER_PERSON and e.confirmed_amount
        )
        if amount:
            rows.append((clause, amount))
    if len(rows) < 2:
        if named < 2 or len(rows) == named:
            return None
        each = _(
            "Each person is counted on their own: an F0 gets {rate} a day of treatment, at most {f0} days; an F1 "
            "{rate} a day of isolation, at most {f1} days; a child under 16 who is F0 or F1, {child} more, once. "
            "Tell me each person's days (e.g. “tôi F0 20 ngày, vợ tôi F1 14 ngày”) and I will add them up."
        ).format(rate=vnd(F0F1_DAILY_VND), f0=F0_MAX_DAYS, f1=F1_MAX_DAYS, child=vnd(CHILD_F0F1_VND))
        return PerPerson(each, replaces=True)
    lines = [_("Counted person by person:")] + [f"– {clause}: {vnd(amount)}" for clause, amount in rows]
    lines.append(_("Together: {total}.").format(total=vnd(sum(amount for _clause, amount in rows))))
    return PerPerson("\n".join(lines), replaces=False)


def _main_outcome(pid: PolicyId, profile: Profile, assessment: Assessment) -> Entitlement | Reason | None:
    if pid is PolicyId.CHILDREN and profile.is_elderly_or_severe_disability:
        pid = PolicyId.F0_F1  # the elderly's +1.000.000 ₫ is part of the F0/F1 support
    if pid is PolicyId.CHILDREN:
        found = assessment.get(PolicyId.CHILDREN) or assessment.reason(PolicyId.CHILDREN)
        if found is None and profile.covid_status is not CovidStatus.NONE and not profile.is_child_under_16:
            text = _(
                "The extra {amount} is for children under 16 who are F0 or F1, and for the elderly and people "
                "with a severe disability (QĐ 33/2021/QĐ-TTg)."
            ).format(amount=vnd(CHILD_F0F1_VND))
            return Reason(PolicyId.CHILDREN, ReasonCode.NOT_COVERED, text)
        return found or assessment.get(PolicyId.F0_F1)
    if pid is PolicyId.F0_F1:
        return assessment.get(PolicyId.F0_F1) or assessment.reason(PolicyId.F0_F1)
    return assessment.get(pid) or assessment.reason(pid) or next(iter(assessment.ineligible), None)


def _word(
    pid: PolicyId, profile: Profile, assessment: Assessment, missing: list[str], scheme_label: str | None
) -> Computed:
    outcome = _main_outcome(pid, profile, assessment)
    lines: list[str] = []
    days = counted_days(pid, profile.situation_start, profile.situation_end, profile.days_suspended)
    others = [e for e in assessment.entitlements if e is not outcome]
    if isinstance(outcome, Reason):
        lines.append(_("No.") + " " + f"{policy_title(outcome.policy_id)}: {outcome.text}")
        if outcome.code == ReasonCode.TOO_SHORT and (rule := _rule_line(PolicyId(outcome.policy_id), days)):
            lines.append(rule)
        for e in others:
            lines += _entitlement_lines(e)
        return Computed("\n".join(lines), decided=True, policy_id=outcome.policy_id, verdict=_("No."))
    # F0/F1 without the days: eligible all the same, only the amount waits for the days.
    per_day = pid in (PolicyId.F0_F1, PolicyId.CHILDREN)
    if outcome is None or missing or (outcome.amount_vnd is None and not per_day):
        head = maybe = _("Maybe, if the conditions below are met.")
        if missing:
            head += " " + _("To answer for sure I need to know: {facts}.").format(facts="; ".join(missing))
        lines.append(head)
        if scheme_label:
            lines.append(scheme_label)
        for e in assessment.entitlements:
            lines += _entitlement_lines(e)
        return Computed("\n".join(lines), decided=False, policy_id=pid, missing=missing, verdict=maybe)
    lines.append(_("Yes.") + " " + f"{policy_title(outcome.policy_id)}: {_amount_text(outcome)}.")
    if scheme_label:
        lines.append(scheme_label)
    if rule := _rule_line(pid, days):
        lines.append(rule)
    if pid in _SITUATIONS and profile.group is Group.EMPLOYEE_SI:
        lines.append(_("Condition: a labour contract with compulsory social insurance."))
    lines += [f"– {line}" for line in outcome.breakdown]
    for e in others:
        lines += _entitlement_lines(e)
    confirmed = [e for e in assessment.entitlements if e.confirmed_amount]
    if len(confirmed) > 1:
        lines.append(_("Total: {amount}.").format(amount=vnd(assessment.total_confirmed_vnd)))
    lines.append("➜ " + outcome.next_step)
    amount = outcome.amount_vnd if outcome.confirmed_amount else None
    return Computed("\n".join(lines), decided=True, policy_id=outcome.policy_id, verdict=_("Yes."), amount=amount)
