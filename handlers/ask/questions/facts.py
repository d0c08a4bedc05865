"""Facts a citizen states in a question: durations, date ranges, ages, F0/F1, group, insurance, province.

Every extractor reads folded text (no diacritics, lower case, chat shorthand expanded by
messages.normalize), so "18 ngày", "18 ngay" and NFD input agree. Numbers may be digits
or the common Vietnamese words ("mười lăm ngày", "nửa tháng", "2 tuần rưỡi"). Each
extractor returns None / an empty tuple when the message does not say: a missing fact is
asked for, never guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache, lru_cache

from rapidfuzz import fuzz, process

from messages.normalize import TEENCODE, fold, is_syllable, nfc

DEFAULT_YEAR = 2021  # the support package's year: "3/8" means 3/8/2021
MONTH_DAYS = 30  # a month given as a count ("2 tháng") in days


class Who(StrEnum):
    """The citizen's group as the message describes it."""

    HOUSEHOLD_BUSINESS = "household_business"  # not vocabulary: a group of people
    EMPLOYEE_SI = "employee_si"  # labour contract (with or without social insurance said)
    FREE_WORKER = "free_worker"  # not vocabulary: a group of people
    TOUR_GUIDE = "tour_guide"
    ARTIST = "artist"  # performing-arts public employee
    EMPLOYER = "employer"


class Covid(StrEnum):
    F0 = "f0"
    F1 = "f1"


@dataclass(frozen=True)
class Duration:
    days: int
    months: float | None = None  # set when the citizen counted in months ("1 tháng rưỡi")
    approx: bool = False  # "gần", "khoảng", "hơn": not an exact count


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date | None  # None: "từ 15/7" with no end

    @property
    def days(self) -> int | None:
        return (self.end - self.start).days + 1 if self.end else None


@dataclass(frozen=True)
class Age:
    who: str | None  # folded word before the age: "chau", "con", "ba"... or None
    years: int


@dataclass(frozen=True)
class Facts:
    durations: tuple[Duration, ...] = ()
    ranges: tuple[DateRange, ...] = ()
    ages: tuple[Age, ...] = ()
    covid: Covid | None = None
    who: Who | None = None
    social_insurance: bool | None = None
    unemployment_benefit: bool | None = None  # receives or received it: "đã nhận trợ cấp thất nghiệp"
    province: int | None = None  # vietnam-provinces (GSO / CCCD) province code
    dates: tuple[date, ...] = ()  # single dates outside ranges ("nghỉ việc ngày 15/4", "tháng 1/2022")
    elderly_or_disabled: bool = False  # "người già", "khuyết tật nặng" (QĐ 33's +1.000.000 ₫ group)
    adult: bool = False  # "người lớn": not a child, whatever else is said
    business_worker: bool = False  # works in someone's shop or restaurant: "làm phục vụ nhà hàng"
    residence: bool = False  # speaks of where one is registered to live: "chưa đăng ký tạm trú", "quê ở Nghệ An"
    # With F0/F1 and another situation in one message, the days right after "điều trị"/"cách ly"
    # are the treatment's, and `rest_days` the other situation's.
    covid_days: int | None = None
    rest_days: int | None = None
    # Isolation or treatment said in parts ("14 ngày … thêm 7 ngày ở nhà"): the days together.
    isolation_days: int | None = None

    @property
    def days(self) -> int | None:
        """The period the message is about: a date range's length, else the first duration."""
        for r in self.ranges:
            if r.days is not None:
                return r.days
        return self.durations[0].days if self.durations else None

    @property
    def months(self) -> float | None:
        return self.durations[0].months if self.durations and not self.ranges else None

    @property
    def child_under_16(self) -> bool:
        return not self.adult and any(a.years < 16 for a in self.ages)

    @property
    def aged(self) -> bool:
        """An age said is of an elderly person: from 60 (Luật Người cao tuổi 2009, Điều 2)."""
        return any(a.years >= 60 for a in self.ages)

    @property
    def elderly(self) -> bool:
        return self.elderly_or_disabled or self.aged


# --- text ------------------------------------------------------------------------------------

_WORD = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+")


# Mistyped "không" that chat shorthand does not list ("kông", "khôg", "khng" folded), and "nhiu" (nhiều), which
# has the shape of a syllable and so is not repaired.
_NOT_TYPOS = {
    "kong": "khong",
    "khog": "khong",
    "khng": "khong",
    "khum": "khong",
    "hem": "khong",
    "khonh": "khong",
    "nhiu": "nhieu",
}


def folded(text: str) -> str:
    """Folded text that keeps punctuation (dates need '/' and '-'); shorthand expanded, typos repaired."""
    out = fold(nfc(text))
    return re.sub(r"\b[a-z]+\b", lambda m: _word(m.group(0)), out)


_TYPO_CUTOFF = 85.0


@cache
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    """The words of the knowledge base (policy pages, knowledge entries, the classifier's examples)."""
    from messages.knowledge import load_knowledge
    from messages.policies import load_policies

    texts: list[str] = []
    for policy in load_policies():
        texts += [policy.title, policy.summary, *policy.keywords, *policy.examples, *policy.sections.values()]
    texts += [e.answer for e in load_knowledge()] + [e for k in load_knowledge() for e in k.examples]
    words = {w for t in texts for w in re.findall(r"[a-z]+", fold(nfc(t)))}
    words |= {w for key, _code in _province_keys() for w in key.split()}
    return frozenset(words), tuple(sorted(w for w in words if len(w) >= 4))


@lru_cache(maxsize=8192)
def _word(word: str) -> str:
    """Shorthand expanded; a long word the knowledge base does not know, repaired to the nearest it does."""
    if word in _NOT_TYPOS:
        return _NOT_TYPOS[word]
    if word in TEENCODE:
        return TEENCODE[word]
    known, choices = _vocabulary()
    if len(word) < 4 or word in known or is_syllable(word):
        return word
    hit = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
    return hit[0] if hit else word


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text)


# --- numbers in words -----------------------------------------------------------------------

_UNITS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_AFTER_TEN = {**_UNITS, "lam": 5, "tu": 4, "mot": 1}


def _number_before(tokens: list[str], end: int) -> tuple[float, int] | None:
    """The number ending just before tokens[end]: (value, index of its first token)."""
    i = end - 1
    if i < 0:
        return None
    tok = tokens[i]
    if tok[0].isdigit():
        return float(tok.replace(",", ".")), i
    if tok == "nua":  # "nửa tháng"
        return 0.5, i
    # Word numbers, read backwards: [units] "muoi" [units], "muoi" alone = 10, "muoi lam" = 15.
    value, start = None, i
    if tok in _AFTER_TEN and i >= 1 and tokens[i - 1] == "muoi":
        tens_at = i - 1
        tens = 1
        if tens_at >= 1 and tokens[tens_at - 1] in _UNITS:
            tens, tens_at = _UNITS[tokens[tens_at - 1]], tens_at - 1
        value, start = tens * 10 + _AFTER_TEN[tok], tens_at
    elif tok == "muoi":
        tens, start = 1, i
        if i >= 1 and tokens[i - 1] in _UNITS:
            tens, start = _UNITS[tokens[i - 1]], i - 1
        value = tens * 10
    elif tok in _UNITS:
        value = _UNITS[tok]
    return (float(value), start) if value is not None else None


# --- durations ------------------------------------------------------------------------------

# "bữa" and "hôm" are a day as people say it ("nghỉ 12 bữa", "đóng 10 hôm"); "2 bữa ăn" is meals.
_UNIT_DAYS = {"ngay": 1, "hom": 1, "bua": 1, "tuan": 7, "thang": MONTH_DAYS}
_MEAL = frozenset({"an", "com", "sang", "trua", "chieu", "toi", "phu"})
_MONEY = re.compile(r"^[\d.,]+(k|d|dong|nghin|trieu)?$|^(k|d|dong|nghin|trieu|vnd)$")
_APPROX = frozenset({"gan", "khoang", "hon", "tren", "chung", "tam", "ngot"})
# Words before "1 ngày" that make it a rate: "bao nhiêu 1 ngày", "bn 1 ngày", "mấy tiền một ngày".
_RATE = frozenset({"nhieu", "bn", "tien"})
# "mang thai 5 tháng", "có bầu được 7 tháng": how far along a pregnancy is, not how long a situation lasted.
_PREGNANCY = frozenset({"thai", "bau"})


def durations(text: str) -> tuple[Duration, ...]:
    """'18 ngày', '2 tuần rưỡi', 'gần 2 tháng', '1 tháng rưỡi', 'mười lăm ngày', 'nửa tháng'."""
    tokens = _tokens(_without_dates(folded(text)))
    out: list[Duration] = []
    for i, tok in enumerate(tokens):
        if tok not in _UNIT_DAYS:
            continue
        half = i + 1 < len(tokens) and tokens[i + 1] == "ruoi"
        number = _number_before(tokens, i)
        if number is None:
            if not half:  # "tháng rưỡi" alone is one and a half months
                continue
            number = (1.0, i)
        value, first = number
        before = tokens[first - 1] if first >= 1 else ""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if after == "tuoi" or _PREGNANCY & set(tokens[max(first - 2, 0) : first]):
            continue  # "8 tháng tuổi" is an age; "mang thai 5 tháng" a pregnancy
        if tok == "bua" and after in _MEAL:
            continue  # "2 bữa ăn", "3 bữa cơm": meals
        if tok == "ngay" and value == 1 and (_MONEY.match(before) or before in _RATE):
            continue  # "80k một ngày", "bao nhiêu 1 ngày" are a rate, not a duration
        if half:
            value += 0.5
        if value <= 0 or value > 400:
            continue
        approx = first >= 1 and tokens[first - 1] in _APPROX
        days = round(value * _UNIT_DAYS[tok])
        out.append(Duration(days=days, months=value if tok == "thang" else None, approx=approx))
    return tuple(out)


# --- dates and ranges -----------------------------------------------------------------------

_D = r"(\d{1,2})"
_DATE = rf"{_D}\s*[/.-]\s*{_D}(?:\s*[/.-]\s*(\d{{4}}|\d{{2}})(?!\d))?"
_TO = r"\s*(?:-|–|—|den|toi|toi ngay|den ngay|->|~)\s*(?:ngay\s*)?"
_RANGE = re.compile(rf"(?:tu\s*(?:ngay\s*)?)?{_DATE}{_TO}{_DATE}")
# "từ 3 tới 25/8": the start's month is the end's.
_SHORT_RANGE = re.compile(rf"\btu\s*(?:ngay\s*)?{_D}{_TO}{_DATE}")
_FROM = re.compile(rf"\btu\s*(?:ngay\s*)?{_DATE}")
# "từ 24/7 phường yêu cầu đóng cửa đến 15/9": words (no figures, no sentence end) between the two dates.
_FROM_WORDS_TO = re.compile(rf"\btu\s*(?:ngay\s*)?{_DATE}[^0-9.;?!]{{1,60}}?\b(?:den|toi)\s*(?:ngay\s*)?{_DATE}")
_WHOLE_MONTH = re.compile(r"\b(?:ca|suot|nguyen|het|trong)\s+thang\s+(\d{1,2})\b(?:\s*(?:nam\s*)?(\d{4}))?")
# "từ tháng 7 đến tháng 8", "từ giữa tháng 7 tới cuối tháng 9", "từ tháng 5 đến hết năm", "từ đầu tháng 8 tới nay".
_PART = r"(?:(dau|giua|cuoi|het)\s+)?"
_NOW = r"(nay|gio|bay gio|hien nay|hom nay)"
_MONTH_SPAN = re.compile(
    rf"\btu\s+{_PART}thang\s+(\d{{1,2}})(?:\s*(?:nam\s*)?(\d{{4}}))?\s*(?:-|–|den|toi)\s*(?:ngay\s*)?"
    rf"(?:{_PART}thang\s+(\d{{1,2}})|(?:het|cuoi)\s+(nam)|{_NOW})(?:\s*(?:nam\s*)?(\d{{4}}))?\b"
)
# "từ 19/7 đến hết tháng 8", "từ 20/7 đến cuối tháng" (that month), "từ 1/10 tới hết năm".
_DATE_TO_PART = re.compile(
    rf"\btu\s*(?:ngay\s*)?{_DATE}\s*(?:-|–|den|toi)\s*(?:(het|cuoi|giua|dau)\s+thang(?:\s+(\d{{1,2}}))?|(?:het|cuoi)\s+(nam))\b"
)
_START_DAY = {None: 1, "dau": 1, "giua": 15, "cuoi": 20, "het": 20}
_END_DAY = {"dau": 10, "giua": 15}  # "cuối", "hết" or nothing: the month's last day
_ANY_DATE = re.compile(_DATE)


def _year(raw: str | None) -> int:
    if not raw:
        return DEFAULT_YEAR
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _mk(day: str, month: str, year: str | None) -> date | None:
    try:
        return date(_year(year), int(month), int(day))
    except ValueError:
        return None


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _part_end(year: int, month: int, part: str | None) -> date:
    """The last day "đầu/giữa/cuối/hết tháng M" reaches as a period's end."""
    end = _month_end(year, month)
    return end.replace(day=_END_DAY[part]) if part in _END_DAY else end


def date_ranges(text: str) -> tuple[DateRange, ...]:
    """'từ 3/8 tới 25/8', '10/5–28/5/2021', 'từ 3 đến 20/8', 'cả tháng 9', 'từ tháng 7 đến tháng 8', 'từ 15/7'."""
    key = folded(text)
    out: list[DateRange] = []
    taken: list[tuple[int, int]] = []

    def add(start: date | None, end: date | None, span: tuple[int, int]) -> None:
        if any(a < span[1] and span[0] < b for a, b in taken):
            return
        taken.append(span)  # even when invalid: "từ 25/8 tới 3/8" is no open "từ 25/8" either
        if start is not None and (end is None or end >= start):
            out.append(DateRange(start, end))

    for m in _RANGE.finditer(key):
        d1, m1, y1, d2, m2, y2 = m.groups()
        year = y1 or y2
        add(_mk(d1, m1, year), _mk(d2, m2, y2 or year), m.span())
    for m in _FROM_WORDS_TO.finditer(key):
        d1, m1, y1, d2, m2, y2 = m.groups()
        add(_mk(d1, m1, y1 or y2), _mk(d2, m2, y2 or y1), m.span())
    for m in _SHORT_RANGE.finditer(key):
        d1, d2, m2, y2 = m.groups()
        add(_mk(d1, m2, y2), _mk(d2, m2, y2), m.span())
    for m in _MONTH_SPAN.finditer(key):
        part1, m1, y1, part2, m2, year_end, now, y2 = m.groups()
        year = _year(y1 or y2)
        if not 1 <= int(m1) <= 12:
            continue
        start = date(year, int(m1), _START_DAY[part1])
        if now:
            add(start, None, m.span())
        elif year_end:
            add(start, date(year, 12, 31), m.span())
        elif m2 and 1 <= int(m2) <= 12:
            add(start, _part_end(year, int(m2), part2), m.span())
    for m in _DATE_TO_PART.finditer(key):
        d1, m1, y1, part, m2, year_end = m.groups()
        start_day = _mk(d1, m1, y1)
        if start_day is None:
            continue
        if year_end:
            add(start_day, date(start_day.year, 12, 31), m.span())
        elif 1 <= (month := int(m2 or m1)) <= 12:
            add(start_day, _part_end(start_day.year, month, part), m.span())
    for m in _WHOLE_MONTH.finditer(key):
        month, year = int(m.group(1)), _year(m.group(2))
        if 1 <= month <= 12:
            add(date(year, month, 1), _month_end(year, month), m.span())
    for m in _FROM.finditer(key):
        d1, m1, y1 = m.groups()
        add(_mk(d1, m1, y1), None, m.span())
    out.sort(key=lambda r: r.start)
    return tuple(out)


# "tháng 1/2022", "tháng 3 năm 2021", "hồi tháng 4" (of 2021); not "1 tháng 5 ngày", a count of months.
_MONTH_OF_YEAR = re.compile(
    r"(?<!\d )\bthang\s*(\d{1,2})(?:\s*(?:[/.-]|nam)\s*(\d{4}))?\b(?!\s*[/.-]?\s*\d)(?!\s*(?:ngay|tuan)\b)"
)


def single_dates(text: str) -> tuple[date, ...]:
    """Dates not part of a range: 'nghỉ việc ngày 15/4/2021', 'tháng 1/2022' and 'hồi tháng 4' (the month's
    first day)."""
    key = folded(text)
    ranged = [
        m.span()
        for rx in (_RANGE, _FROM_WORDS_TO, _SHORT_RANGE, _FROM, _MONTH_SPAN, _DATE_TO_PART, _WHOLE_MONTH)
        for m in rx.finditer(key)
    ]
    out: list[date] = []
    months: list[tuple[int, int]] = []
    for m in _MONTH_OF_YEAR.finditer(key):
        month = int(m.group(1))
        if any(a <= m.start() < b for a, b in ranged) or not 1 <= month <= 12:
            continue
        out.append(date(_year(m.group(2)), month, 1))
        months.append(m.span())
    for m in _ANY_DATE.finditer(key):
        if any(a <= m.start() < b for a, b in ranged + months):
            continue
        if (found := _mk(*m.groups())) is not None:
            out.append(found)
    return tuple(out)


def _without_dates(key: str) -> str:
    """Folded text with dates and month names removed, so "tháng 9" is not read as 9 months."""
    key = _ANY_DATE.sub(" ", key)
    return re.sub(r"\bthang\s+\d{1,2}\b", " ", key)


# --- ages -----------------------------------------------------------------------------------

_AGE_WHO = frozenset(
    {"chau", "con", "be", "ba", "ong", "me", "bo", "em", "toi", "minh", "cu", "nguoi", "cha", "vo", "chong", "dua"}
)

_OWNER_WORDS = frozenset({"toi", "minh", "em", "chi", "anh", "nha", "ta"})
_CHILD_ADJECTIVES = frozenset({"nho", "gai", "trai", "ut", "lon", "ca", "dau"})
_LIST_WORDS = frozenset({"va", "voi", "hoac", "hay"})


def ages(text: str) -> tuple[Age, ...]:
    """'cháu 9 tuổi', 'con 15 tuổi', 'bà 80 tuổi', 'bé mười tuổi'."""
    tokens = _tokens(folded(text))
    out: list[Age] = []
    for i, tok in enumerate(tokens):
        if tok != "tuoi":
            continue
        number = _number_before(tokens, i)
        if number is None or number[0] != int(number[0]) or not 0 < number[0] <= 120:
            continue
        first = number[1]
        # "con tôi 4 tuổi", "bé nhà mình 3 tuổi", "con nhỏ 3 tuổi", "con gái tôi 4 tuổi": the child's age.
        start = first
        while start >= 2 and tokens[start - 1] in _OWNER_WORDS | _CHILD_ADJECTIVES and tokens[start - 2] != "tuoi":
            start -= 1
        before = tokens[first - 1] if first >= 1 else None
        if start < first and start >= 1 and tokens[start - 1] in _AGE_WHO:
            before = tokens[start - 1]
        who = before if before in _AGE_WHO else None
        listed = first - 1 if before in _LIST_WORDS else first  # where the list's previous item ends
        if who is None and out and listed >= 1 and tokens[listed - 1] == "tuoi":
            # "2 con nhỏ 3 tuổi và 5 tuổi", "2 tuổi, 4 tuổi": a later age of a list is the same kind of person's.
            who = out[-1].who
        elif (
            before in _LIST_WORDS
            and first >= 3
            and tokens[first - 2].isdigit()
            and 0 < int(tokens[first - 2]) <= 120
            and tokens[first - 3] in _AGE_WHO
        ):
            # "2 con 3 và 5 tuổi": the number before "và" is an age of the same person's too.
            who = tokens[first - 3]
            out.append(Age(who, int(tokens[first - 2])))
        # "dưới 16 tuổi" speaks of someone younger than 16.
        out.append(Age(who, int(number[0]) - 1 if before == "duoi" else int(number[0])))
    return tuple(out)


# --- F0 / F1, group, insurance ---------------------------------------------------------------

_F0 = re.compile(
    r"\bf0\b|\bf 0\b|duong tinh|(mac|nhiem|bi|dinh|dieu tri) (covid|corona|sars)|\bdieu tri\b|nhap vien"
    r"|benh vien da chien"
)
_F1 = re.compile(r"\bf1\b|\bf 1\b|cach ly|tiep xuc gan")


def covid_status(text: str) -> Covid | None:
    """F0 (treated) or F1 (isolated); F0 wins when both are said of the same person."""
    key = folded(text)
    f0 = _F0.search(key)
    f1 = _F1.search(key)
    if f0 and f1:
        return Covid.F0 if f0.start() <= f1.start() or "f1" not in key else Covid.F1
    return Covid.F0 if f0 else Covid.F1 if f1 else None


# Order matters: the most specific group first ("hướng dẫn viên" before "công ty").
_WHO_CUES: tuple[tuple[Who, re.Pattern[str]], ...] = (
    (Who.TOUR_GUIDE, re.compile(r"huong dan vien|\bhdv\b|dan tour|the hdv")),
    (
        Who.ARTIST,
        re.compile(
            r"dien vien|nghe si|doan (nghe thuat|ca mua|cai luong|kich|xiec|cheo|tuong)|nha hat|vien chuc nghe thuat"
            r"|nhac cong|dao dien|bieu dien|nghe thuat bieu dien|dien xuat"
        ),
    ),
    (
        Who.EMPLOYER,
        re.compile(
            r"(doanh nghiep|cong ty|hop tac xa|co so) (cua )?(toi|minh|chung toi|em)\b|chu doanh nghiep"
            r"|nguoi su dung lao dong|chu su dung|giam doc|ke toan (cong ty|doanh nghiep)|\bdn (toi|minh)\b"
        ),
    ),
    (
        Who.FREE_WORKER,
        re.compile(
            r"lao dong tu do|\bxe om\b|ve so|phu ho|boc vac|ban hang rong|hang rong|thu gom|ve chai|phe lieu"
            r"|xich lo|lam thue|lam cong nhat|giup viec|khong co hop dong|khong hop dong|tu do"
            r"|lam them|\bgrab\b|shipper|xe om cong nghe"
            r"|ba gac|xe loi|xe tho|cho hang thue|khuan vac|van chuyen hang"
        ),
    ),
    (
        Who.HOUSEHOLD_BUSINESS,
        re.compile(
            r"ho kinh doanh|\bquan\b|\btiem\b|cua hang|\bsap\b|tap hoa|buon ban|kinh doanh"
            r"|\bban (xoi|bun|pho|com|banh|ca phe|nuoc|quan ao|hang)"
            r"|salon|spa\b|karaoke|nha nghi|homestay|cat toc|lam toc|sua xe|\bnail\b|tho may|tiem"
        ),
    ),
    (
        Who.EMPLOYEE_SI,
        re.compile(
            r"cong ty|cong nhan|hop dong lao dong|bao hiem xa hoi|xi nghiep|nha may|\bxuong\b|nhan vien|doanh nghiep"
            r"|giao vien truong tu|truong tu thuc|nghi khong luong|tam hoan hop dong|ngung viec|cham dut hop dong"
            r"|nghi viec|mat viec"
        ),
    ),
)


# One who works in a shop, a restaurant or the like, not its owner: "đi làm thêm quán cà phê", "làm phục vụ nhà
# hàng", "làm thuê cho tiệm tóc", "nhân viên quán karaoke".
_BUSINESS = r"(?:quan|tiem|nha hang|cua hang|karaoke|spa|salon|khach san|nha nghi|homestay|sap)"
_WORK = r"(?:them|thue|phuc vu|nhan vien|ban hang|bep|cong|cho|o|tai|nail|mong|toc|tho|goi dau|massage|ky thuat vien)"
_BUSINESS_WORKER = re.compile(
    rf"\blam\s+{_WORK}(?:\s+(?:{_WORK}|mot|cai))*\s+{_BUSINESS}\b"
    rf"|\b(?:nhan vien|phuc vu|phu bep|chay ban|pha che)\s+(?:(?:o|tai|cho|cua)\s+)?{_BUSINESS}\b"
)
# "quán của tôi", "tôi mở tiệm", "tôi là chủ quán"; a bare "chủ tiệm" is as often the worker's employer.
_OWN_BUSINESS = re.compile(
    rf"\b{_BUSINESS}\s+(?:cua|nha)\s+(?:toi|minh|em|chi|anh)\b|\bmo\s+{_BUSINESS}\b"
    rf"|\b(?:toi|minh|em|chi|anh)\s+(?:la\s+)?chu\s+{_BUSINESS}\b|^chu\s+{_BUSINESS}\b"
)
_CONTRACT = re.compile(r"(?<!khong co )(?<!khong )\b(?:hop dong lao dong|hdld|bao hiem xa hoi|bhxh)\b")


# "ở quê" alone is the countryside ("làm thuê ở quê"); a hometown set against the workplace is residence.
_RESIDENCE = re.compile(
    r"\b(?:tam tru|ho khau|thuong tru|cu tru|ngoai tinh|xa que|que quan|ve que|tinh khac)\b"
    r"|\bque (?:o|toi|minh|em|chi|anh|nha)\b|\bque\b.*\b(?:nhung|ma)\b.*\blam\b"
)


# A street vendor ("bán hàng rong", "xe bánh mì", "gánh hàng", "hủ tiếu gõ"): on the provinces' free-worker lists
# and, since NQ 126, among the household businesses supported (policy-facts §4, §6).
_STREET_VENDOR = re.compile(
    r"\bhang rong\b|\bban dao\b|\bganh hang\b|\bqua vat\b|\bbuon chuyen\b|\bhu tieu go\b"
    r"|\bxe (?:banh mi|day|hu tieu|nuoc mia|trai cay|bap)\b"
    r"|\b(?:ban|quan|sap|ganh)\b.{0,30}\b(?:via he|le duong|ven duong)\b|\b(?:ca phe|cafe) coc\b"
)


def street_vendor(text: str) -> bool:
    return bool(_STREET_VENDOR.search(folded(text)))


# Households of farming, forestry, fishery or salt-making, which NQ 126 added to the household businesses'
# support (policy-facts §4): "tôi làm nông", "nhà nuôi tôm", "đánh bắt cá", "làm muối".
_FARMING = re.compile(
    r"\b(?:lam (?:nong|ruong|vuon|muoi|rau)|nong dan|ngu dan|diem dan|trong (?:rau|lua|trot|hoa|cay|nam)"
    r"|chan nuoi|nuoi (?:ca|tom|heo|lon|ga|vit|bo|ong|trong thuy san)|danh (?:ca|bat)|nuoi trong thuy san)\b"
)


def farming_household(text: str) -> bool:
    return bool(_FARMING.search(folded(text)))


def business_worker(text: str) -> bool:
    key = folded(text)
    return bool(_BUSINESS_WORKER.search(key)) and not _OWN_BUSINESS.search(key)


def who(text: str) -> Who | None:
    key = folded(text)
    if business_worker(text):  # a worker there, with or without a contract: not the household business
        return Who.EMPLOYEE_SI if _CONTRACT.search(key) else Who.FREE_WORKER
    for group, pattern in _WHO_CUES:
        if pattern.search(key):
            return group
    return None


_SI = r"(bao hiem xa hoi|bao hiem)"
_SI_NO = re.compile(rf"(khong|chua|chang|ko|het|ngung|ngat) (co |duoc |he |tung )?(dong|tham gia|co|dong tien)? ?{_SI}")
_SI_YES = re.compile(rf"(co|dang|van|deu|da) (dong|tham gia|co) {_SI}|{_SI} (day du|bat buoc)|dong {_SI}|\bco {_SI}")
# "có bh", "đóng bh", "ko có bh": the insurance, read before teencode makes "bh" "bao giờ" (fold only).
_BH_NO = re.compile(r"\b(?:khong|ko|k|kh|chua) (?:co |dong |tham gia )?bh(?:xh)?\b")
_BH_YES = re.compile(r"\b(?:co|dong|co dong|dang dong|van dong) bh(?:xh)?\b")


_SI_VOLUNTARY = re.compile(rf"{_SI} tu nguyen")


def social_insurance(text: str) -> bool | None:
    """Does the worker pay compulsory social insurance: 'có đóng BHXH' / 'không đóng bảo hiểm';
    'đóng BHXH tự nguyện' is the voluntary scheme, which the employees' supports do not count."""
    key, plain = folded(text), fold(text)
    if _SI_NO.search(key) or _SI_VOLUNTARY.search(key) or _BH_NO.search(plain):
        return False
    if _SI_YES.search(key) or _BH_YES.search(plain):
        return True
    return None


_UI = r"(tro cap that nghiep|bao hiem that nghiep|tien that nghiep|that nghiep|bhtn|tctn)"
_UI_NO = re.compile(
    rf"\b(khong|chua|ko|k|chang) (du dieu kien |du dk |duoc |co )?(nhan|huong|lanh|linh)( duoc)?"
    rf"( (tien|khoan|che do))? {_UI}"
)
_UI_YES = re.compile(
    rf"\b(da|dang|duoc|co|vua|moi|van) (nhan|huong|lanh|linh)( duoc| het| xong)?( (tien|khoan|che do))? {_UI}"
)


def unemployment_benefit(text: str) -> bool | None:
    """'đã nhận bảo hiểm thất nghiệp', 'đang hưởng trợ cấp thất nghiệp' / 'không đủ điều kiện hưởng TCTN'."""
    key = folded(text)
    if _UI_NO.search(key):
        return False
    if _UI_YES.search(key):
        return True
    return None


# --- province --------------------------------------------------------------------------------

# Names citizens use that the data does not spell out (folded), by province code.
_PROVINCE_ALIASES: dict[int, tuple[str, ...]] = {
    1: ("hn", "ha noi", "hanoi", "thu do"),
    46: ("thua thien hue", "tt hue", "hue"),
    48: ("danang",),
    66: ("dac lac", "daklak", "dak lak"),
    67: ("dac nong", "dak nong"),
    77: ("brvt", "vung tau", "ba ria", "ba ria vung tau"),
    79: ("hcm", "tphcm", "tp hcm", "hcmc", "sai gon", "saigon", "sg", "tp ho chi minh", "thanh pho ho chi minh"),
    92: ("cantho",),
}
_TYPE_WORDS = ("thanh pho ", "tinh ")


@cache
def _province_keys() -> tuple[tuple[str, int], ...]:
    """(folded name, code), longest first, from vietnam-provinces and the aliases above."""
    from handlers.admin_units import provinces

    keys: dict[str, int] = {}
    for unit in provinces():
        name = " ".join(re.findall(r"[a-z0-9]+", fold(unit.name)))
        for prefix in _TYPE_WORDS:
            if name.startswith(prefix):
                name = name[len(prefix) :]
        keys[name] = unit.code
    for code, aliases in _PROVINCE_ALIASES.items():
        for alias in aliases:
            keys[alias] = code
    return tuple(sorted(keys.items(), key=lambda kv: -len(kv[0])))


# A district named with its type word ("quận 8", "q.Bình Thạnh", "huyện Củ Chi") names its province when no
# other province has a district of that name. The type word is read with its marks: folded, "quán" is "quận"
# ("quán đóng đã" would be Quận Đống Đa); a message typed without any marks may spell it out unmarked.
# Bare district names are too often ordinary words once folded ("là gì" is La Gi), so only these city
# districts, which citizens name without "quận", are read bare. Quận 2 and Quận 9 became Thành phố Thủ Đức
# in 2021, but citizens went on naming them.
_DISTRICT_TYPE = re.compile(r"(?<!\w)(?:quận|huyện|thị xã|thành phố|tp|tx|q)(?=[\s.\d])\.?")
_DISTRICT_TYPE_UNMARKED = re.compile(r"(?<!\w)(?:quan|huyen|thi xa|thanh pho)(?=\s)")
_DISTRICT_WORDS = 4
_BARE_DISTRICTS: dict[int, tuple[str, ...]] = {
    1: ("cau giay", "hoan kiem", "hai ba trung", "long bien", "tay ho", "bac tu liem", "nam tu liem", "ha dong"),
    79: ("go vap", "thu duc", "binh thanh", "tan binh", "phu nhuan", "binh tan", "hoc mon", "cu chi", "binh chanh"),
}
_RENAMED_DISTRICTS = {"2": 79, "9": 79}


@cache
def _district_provinces() -> dict[str, int]:
    """Folded district name (without its type word) -> province code, for names only one province has."""
    from handlers.admin_units import districts, provinces

    found: dict[str, set[int]] = {}
    for unit in provinces():
        for district in districts(unit.code):
            words = _tokens(fold(district.name))
            for size in (2, 1):  # "thành phố", "thị xã" / "quận", "huyện"
                if " ".join(words[:size]) in ("thanh pho", "thi xa", "quan", "huyen"):
                    words = words[size:]
                    break
            found.setdefault(" ".join(words), set()).add(unit.code)
    named = {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}
    return named | _RENAMED_DISTRICTS


def _district_province(text: str, key: str) -> int | None:
    lowered = nfc(text).lower()
    types = [_DISTRICT_TYPE] if not lowered.isascii() else [_DISTRICT_TYPE, _DISTRICT_TYPE_UNMARKED]
    for pattern in types:
        for match in pattern.finditer(lowered):
            words = _tokens(fold(lowered[match.end() :]))[:_DISTRICT_WORDS]
            for size in range(len(words), 0, -1):
                code = _district_provinces().get(" ".join(words[:size]))
                if code is not None:
                    return code
    for code, names in _BARE_DISTRICTS.items():
        if any(f" {name} " in key for name in names):
            return code
    return None


def province(text: str) -> int | None:
    """The province named: 'Hà Nội', 'ha noi', 'HN', 'tphcm', 'Sài Gòn', 'long an', 'quận 8', 'Gò Vấp'..."""
    key = " " + " ".join(_tokens(folded(text))) + " "
    for name, code in _province_keys():
        if f" {name} " in key:
            return code
    return _district_province(text, key)


_ELDERLY = re.compile(
    r"nguoi gia|gia roi|gia yeu|cao tuoi|ong ba gia|khuyet tat (dac biet )?nang|tan tat nang|nguoi khuyet tat"
)
_ADULT = re.compile(r"nguoi lon|nguoi truong thanh")


_COVID_SPAN = re.compile(r"\b(dieu tri|cach ly|nam vien|nhap vien|f0|f1)\b[^,.;]{0,25}\b")  # ends between words


def covid_split(text: str) -> tuple[int | None, int | None]:
    """(days of treatment or isolation, days of the rest) when the message holds both."""
    key = folded(text)
    m = _COVID_SPAN.search(key)
    if m is None:
        return None, None
    own = durations(m.group(0))
    rest = durations(key[: m.start()] + " " + key[m.end() :])
    return (own[0].days if own else None), (rest[0].days if rest else None)


# A later part of the same isolation or treatment: "thêm 7 ngày", "14 ngày nữa", "7 ngày ở nhà".
_MORE_DAYS = re.compile(r"\bthem \d{1,3} ngay\b|\b\d{1,3} ngay (?:nua|(?:cach ly |dieu tri )?(?:o|tai) nha)\b")


def isolation_days(text: str) -> int | None:
    """The days of an isolation or a treatment said in parts ("cách ly tập trung 14 ngày rồi về nhà cách ly
    thêm 7 ngày", "10 ngày ở khu tập trung và 7 ngày ở nhà"): every duration after the first is such a part.
    None when the message says one duration, or durations of something else."""
    found = durations(text)
    key = folded(text)
    if len(found) < 2 or covid_status(text) is None or len(_MORE_DAYS.findall(key)) != len(found) - 1:
        return None
    return sum(d.days for d in found)


def extract(text: str) -> Facts:
    key = folded(text)
    covid_days, rest_days = covid_split(text)
    return Facts(
        covid_days=covid_days,
        rest_days=rest_days,
        isolation_days=isolation_days(text),
        dates=single_dates(text),
        elderly_or_disabled=bool(_ELDERLY.search(key)),
        adult=bool(_ADULT.search(key)),
        business_worker=business_worker(text),
        residence=bool(_RESIDENCE.search(key)),
        durations=durations(text),
        ranges=date_ranges(text),
        ages=ages(text),
        covid=covid_status(text),
        who=who(text),
        social_insurance=social_insurance(text),
        unemployment_benefit=unemployment_benefit(text),
        province=province(text),
    )
