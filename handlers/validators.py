"""Validation of what citizens type into the application forms.

Every validator is a pure function returning ``Valid(value)`` with the
normalised value, or ``Invalid(message, code)`` where ``message`` is a polite
Vietnamese explanation (via gettext, English msgids) that says what is wrong
and shows an example of what to type, and ``code`` is a stable machine reason
for tests, retry counting and analytics.

Free text is stored exactly as the citizen meant it (after Unicode clean-up):
strings that look like SQL, HTML or template injection are harmless data
because storage uses bound parameters and renderers escape. Spreadsheet
formula injection ("=cmd|...") is neutralised at export time with
``spreadsheet_safe`` rather than at input, so the stored value stays true to
what was typed and every export path applies one rule.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, Literal, TypeAlias, TypeVar

from rapidfuzz import fuzz

from messages import banks
from messages.fmt import day as fmt_day
from messages.i18n import _
from messages.normalize import fold, search_key, words

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Valid(Generic[T]):
    """A successful validation carrying the normalised value."""

    value: T

    @property
    def ok(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Invalid:
    """A failed validation: ``message`` is for the citizen, ``code`` for the program."""

    message: str
    code: str

    @property
    def ok(self) -> bool:
        return False


Ok = Valid
Result: TypeAlias = Valid[T] | Invalid

Sex = Literal["male", "female"]

# --------------------------------------------------------------------------
# Free text
# --------------------------------------------------------------------------

DEFAULT_MAX_LEN = 500

# Cc (controls), Cf (bidi overrides, zero-width, BOM, soft hyphen, tags),
# Cs (lone surrogates that break UTF-8 encoding) and Co (private use) are never
# meaningful in a form answer and can hide or reorder what an official sees.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co"})
_SPACES = re.compile(r"\s+")

# Leading characters that make Excel/LibreOffice evaluate a cell as a formula
# (OWASP "CSV injection"), including the full-width forms LibreOffice accepts.
_FORMULA_START = tuple("=+-@\t\r＝＋－＠")


def _strip_invisible(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")  # a newline between two words must still separate them
        elif unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
    return "".join(out)


def clean_text(raw: str, max_len: int = DEFAULT_MAX_LEN) -> Result[str]:
    """NFC, without control/bidi/zero-width characters, spaces collapsed.

    Rejects empty answers, answers with no letter or digit (emoji-only,
    symbol-only) and answers longer than ``max_len`` characters.
    Injection-looking text is kept literally (see the module docstring).
    """
    text = unicodedata.normalize("NFC", _strip_invisible(unicodedata.normalize("NFC", raw)))
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        return Invalid(
            _("Please answer with letters or numbers; emoji or symbols on their own cannot be recorded."),
            "no_content",
        )
    if len(text) > max_len:
        return Invalid(
            _(
                "Your answer is too long ({length} characters). Please shorten it to at most {max_len} characters."
            ).format(length=len(text), max_len=max_len),
            "too_long",
        )
    return Valid(text)


def described(raw: str, max_len: int = DEFAULT_MAX_LEN) -> Result[str]:
    """Free text that must say something in words (work, a workplace, a line of business): a date or a number
    alone ("1/7/2021" typed ahead of its step, a phone number) describes nothing."""
    cleaned = clean_text(raw, max_len=max_len)
    if isinstance(cleaned, Valid) and not any(ch.isalpha() for ch in cleaned.value):
        return Invalid(_("Please answer in words: a date or a number on its own does not describe it."), "no_words")
    return cleaned


def spreadsheet_safe(value: str) -> str:
    """Prefix an apostrophe when a cell value would start a formula.

    For CSV and XLSX exports: "=HYPERLINK(...)" becomes "'=HYPERLINK(...)",
    which spreadsheets show as text. Values are stored unmodified; only the
    export applies this.
    """
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

_NAME_PUNCT = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "‐": "-", "‑": "-", "–": "-"})
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _is_latin(word: str) -> bool:
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "")
        for ch in word  # Vietnamese (incl. ethnic-minority names) is written in Latin script
    )


# What people type around their name, folded word by word: "tên tôi là …", "họ tên: …", "dạ … ạ".
_NAME_LEADS: tuple[tuple[str, ...], ...] = tuple(
    tuple(lead.split())
    for lead in (
        "ho ten chu ho la",
        "ho ten chu ho",
        "ten chu ho la",
        "ten chu ho",
        "ten chu tai khoan la",
        "ten chu tai khoan",
        "chu tai khoan la",
        "chu tai khoan",
        "ten chu tk",
        "chu tk",
        "ho va ten la",
        "ho va ten",
        "ho ten la",
        "ho ten",
        "ten cua toi la",
        "ten cua em la",
        "ten toi la",
        "ten em la",
        "ten minh la",
        "ten con la",
        "ten chau la",
        "ten la",
        "toi ten la",
        "toi ten",
        "toi la",
        "em ten la",
        "em ten",
        "em la",
        "minh ten la",
        "minh ten",
        "minh la",
        "con ten la",
        "con ten",
        "chau ten la",
        "chau ten",
        "ten",  # "tên: Lê Văn Tám" (Tên is no family name)
    )
)
# Compared with their marks: folded, "vâng" would be the Hmong family name Vàng and "ạ" the given name A.
_NAME_POLITE_HEAD = frozenset({"dạ", "vâng", "thưa"})
_NAME_POLITE_TAIL = frozenset({"ạ", "nhé"})
# Answers that give no name at all.
_NOT_A_NAME = frozenset(
    {
        *("khong", "ko", "k", "khong co", "ko co", "chua co", "khong biet", "ko biet", "chua biet", "k biet"),
        *("khong nho", "ko nho", "quen roi", "khong ro", "ko ro", "bo qua", "khong muon noi", "chua biet a"),
        *("ko muon noi", "k muon noi", "khong muon cho biet", "ko muon cho biet", "khong muon", "ko muon"),
        *("bi mat", "khong can", "ko can", "k can"),
    }
)
_SELF = frozenset({"toi", "em", "minh", "con", "chau"})
# Syllables of sentences that no Vietnamese name has, compared with their marks ("mình", not "Minh"):
# "cho mình hỏi cái này đã", "chờ chút nhé", "không hiểu" are no names. Left out: syllables of names such
# as Thế, Được, Sao (Mai), Tí, Em.
_NEVER_IN_A_NAME = frozenset(
    {
        *("hỏi", "cái", "này", "đã", "chút", "chờ", "đợi", "muốn", "không", "gì", "nào", "làm", "ơi", "nhé"),
        *("giúp", "với", "rồi", "chưa", "vậy", "thì", "mà", "nhưng", "nếu", "tôi", "mình", "xem", "hiểu"),
        *("biết", "đâu", "bạn", "để", "xíu", "sẽ", "đang", "cần", "phải"),
    }
)


def _without_introduction(text: str) -> str:
    """The name without "tên tôi là", "họ tên:", "dạ … ạ" or a closing full stop around it.

    What is left may be one word ("tôi tên An": the given name alone) or none ("tên tôi là"): the caller
    then asks for the full name. A name itself is never cut: no lead or polite word is a family name."""
    words = text.replace(":", " ").split()
    if words:
        words[-1] = words[-1].rstrip(".!")
    folded = [fold(w) for w in words]
    marked = [unicodedata.normalize("NFC", w).lower() for w in words]
    start, end = 0, len(words)
    while start < end and marked[start] in _NAME_POLITE_HEAD:
        start += 1
    for lead in _NAME_LEADS:
        if tuple(folded[start : start + len(lead)]) == lead:
            start += len(lead)
            break
    while end > start and marked[end - 1] in _NAME_POLITE_TAIL:
        end -= 1
    # "tên vợ em là Trần Thị Bình", "tài khoản đứng tên Phạm Thị Dung": the name is what follows the last
    # "là" or "đứng tên" (neither is ever part of a name), when two words at least follow it.
    for i in range(end - 3, start - 1, -1):
        if marked[i] == "là" or (marked[i] == "tên" and i > start and marked[i - 1] == "đứng"):
            start = i + 1
            break
    return " ".join(words[start:end])


def person_name(raw: str, min_words: int = 2, keep_capitals: bool = False) -> Result[str]:
    """A full name in Vietnamese letters, title-cased: "nguyễn văn an" -> "Nguyễn Văn An".

    Letters (with diacritics), spaces, apostrophes and hyphens, as in "Ksor H'Bia".
    Two words are required by default because a legal full name has a family
    name and a given name; a single word is almost always a given name only.
    Pass ``min_words=1`` to accept single-word names. With ``keep_capitals`` a name
    typed all in capitals stays so ("NGUYEN VAN AN": how a bank writes an account holder).
    """
    cleaned = clean_text(raw, max_len=100)
    if isinstance(cleaned, Invalid):
        return cleaned
    said = re.findall(r"[a-z]+", fold(cleaned.value))
    while said and said[0] in _SELF | {"da", "vang", "thua"}:  # "tôi không biết", "dạ em chưa có"
        said = said[1:]
    if " ".join(said) in _NOT_A_NAME:
        return Invalid(_("Please type the full name, for example: Nguyễn Văn An."), "name_missing")
    text = _without_introduction(cleaned.value).translate(_NAME_PUNCT)
    parts = text.split(" ")
    if any(unicodedata.normalize("NFC", p).lower() in _NEVER_IN_A_NAME for p in parts):
        return Invalid(_("Please type only the full name, for example: Nguyễn Văn An."), "name_sentence")
    if text and not all(_NAME_WORD.fullmatch(p) and _is_latin(p) for p in parts):
        return Invalid(
            _("Please type your name in letters only, without digits or symbols, for example: Nguyễn Văn An."),
            "name_chars",
        )
    if len(parts) < min_words or len(text) < 2:
        return Invalid(
            _("Please type your full name (family name and given name), for example: Nguyễn Văn An."),
            "name_short",
        )
    if keep_capitals and text.upper() == text:
        return Valid(text)
    return Valid(_LETTER_RUN.sub(lambda m: m.group()[:1].upper() + m.group()[1:].lower(), text))


# --------------------------------------------------------------------------
# Sex
# --------------------------------------------------------------------------

_MALE = frozenset({"nam", "nam gioi", "gioi tinh nam", "trai", "con trai", "dan ong", "male", "m", "man"})
_FEMALE = frozenset({"nu", "nu gioi", "gioi tinh nu", "gai", "con gai", "dan ba", "phu nu", "female", "f", "woman"})


def sex(raw: str) -> Result[Sex]:
    """Answers like "Nam", "nữ", "nu", "male", "F" -> "male" / "female"."""
    key = " ".join(re.findall(r"[a-z]+", fold(unicodedata.normalize("NFC", raw))))
    if key in _MALE:
        return Valid("male")
    if key in _FEMALE:
        return Valid("female")
    return Invalid(_("Please answer Nam (male) or Nữ (female)."), "sex")


_parse_sex = sex  # id_number's ``sex`` parameter shadows the function


def _sex_label(value: Sex) -> str:
    return _("male") if value == "male" else _("female")


# --------------------------------------------------------------------------
# ID numbers (CMND / CCCD)
# --------------------------------------------------------------------------

# Province codes of Phụ lục I, TT 07/2016/TT-BCA (digits 1-3 of a CCCD); names as
# in 2016-2025. These are the same numbers as the GSO province codes.
CCCD_PROVINCES: dict[int, str] = {
    1: "Hà Nội", 2: "Hà Giang", 4: "Cao Bằng", 6: "Bắc Kạn", 8: "Tuyên Quang", 10: "Lào Cai",
    11: "Điện Biên", 12: "Lai Châu", 14: "Sơn La", 15: "Yên Bái", 17: "Hòa Bình",
    19: "Thái Nguyên", 20: "Lạng Sơn", 22: "Quảng Ninh", 24: "Bắc Giang", 25: "Phú Thọ",
    26: "Vĩnh Phúc", 27: "Bắc Ninh", 30: "Hải Dương", 31: "Hải Phòng", 33: "Hưng Yên",
    34: "Thái Bình", 35: "Hà Nam", 36: "Nam Định", 37: "Ninh Bình", 38: "Thanh Hóa",
    40: "Nghệ An", 42: "Hà Tĩnh", 44: "Quảng Bình", 45: "Quảng Trị", 46: "Thừa Thiên Huế",
    48: "Đà Nẵng", 49: "Quảng Nam", 51: "Quảng Ngãi", 52: "Bình Định", 54: "Phú Yên",
    56: "Khánh Hòa", 58: "Ninh Thuận", 60: "Bình Thuận", 62: "Kon Tum", 64: "Gia Lai",
    66: "Đắk Lắk", 67: "Đắk Nông", 68: "Lâm Đồng", 70: "Bình Phước", 72: "Tây Ninh",
    74: "Bình Dương", 75: "Đồng Nai", 77: "Bà Rịa - Vũng Tàu", 79: "TP. Hồ Chí Minh",
    80: "Long An", 82: "Tiền Giang", 83: "Bến Tre", 84: "Trà Vinh", 86: "Vĩnh Long",
    87: "Đồng Tháp", 89: "An Giang", 91: "Kiên Giang", 92: "Cần Thơ", 93: "Hậu Giang",
    94: "Sóc Trăng", 95: "Bạc Liêu", 96: "Cà Mau",
}  # fmt: skip

_ID_SEPARATORS = re.compile(r"[\s.\-–—_]+")


def _compact(raw: str, separators: re.Pattern[str] = _ID_SEPARATORS) -> str:
    """NFKC (full-width digits typed through an IME become ASCII), invisible chars and separators removed."""
    text = _strip_invisible(unicodedata.normalize("NFKC", raw))
    return separators.sub("", text)


# Words a citizen puts around a number, folded: polite particles ("dạ", "ạ", "nhé") and the field's own
# label ("sđt:", "số tài khoản là", "CCCD"). Only these are dropped: any other word (whose number it is, a
# bank's name, a second number) leaves the answer as typed, for the validator to explain.
_POLITE = frozenset(
    {"da", "vang", "thua", "a", "ah", "nhe", "nha", "la", "cua", "em", "toi", "minh", "anh", "chi", "oi", "day", "ne"}
)
_PHONE_LABEL = frozenset({"sdt", "so", "dien", "thoai", "dt", "dtdd", "di", "dong", "phone", "tel", "lien", "he"}) | {
    "zalo"  # not vocabulary: "số zalo", a label word
}
_ID_LABEL = frozenset(
    {"cccd", "cmnd", "cmt", "so", "can", "cuoc", "cong", "dan", "chung", "minh", "nhan", "dinh", "danh", "the"}
)
_ACCOUNT_LABEL = frozenset({"stk", "so", "tk", "tai", "khoan"})
_NUMBERISH = re.compile(r"[+(]*[0-9][0-9().\-]*")
_REMARK = re.compile(r"\s*\([^()]*[^\W\d_][^()]*\)\s*$")  # a bracket holding letters, at the end


def _bare_number(raw: str, label: frozenset[str]) -> str:
    """The number without the label and polite words around it ("dạ sđt: 0912 345 678 ạ" -> "0912 345 678"),
    or `raw` itself when anything else is there."""
    # A remark in brackets after the number is no part of it: "0912 345 678 (có Zalo)", "… (CCCD)".
    text = _REMARK.sub("", unicodedata.normalize("NFKC", _strip_invisible(raw)))
    tokens = fold(text).replace(":", " ").split()
    numbers = [i for i, token in enumerate(tokens) if _NUMBERISH.fullmatch(token.rstrip(".,"))]
    if not numbers or numbers[-1] - numbers[0] + 1 != len(numbers):
        return raw
    before, after = tokens[: numbers[0]], [t.strip(".,!") for t in tokens[numbers[-1] + 1 :]]
    if all(t in label or t in _POLITE for t in before) and all(t in label or t in _POLITE for t in after if t):
        return " ".join(tokens[numbers[0] : numbers[-1] + 1])
    return raw


def _is_ascii_digits(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+", text))


@dataclass(frozen=True, slots=True)
class IdNumber:
    kind: Literal["cccd", "cmnd"]
    digits: str
    province_code: int | None = None
    province_name: str | None = None
    sex: Sex | None = None
    birth_year: int | None = None

    @property
    def masked(self) -> str:
        """For confirmations read back to the citizen: only the last 4 digits shown."""
        return "*" * (len(self.digits) - 4) + self.digits[-4:]


_ID_EXAMPLE = "001085012345"


def id_number(
    raw: str,
    birth_date: date | None = None,
    sex: str | None = None,
    today: date | None = None,
) -> Result[IdNumber]:
    """A CCCD (12 digits) or old CMND (9 digits); spaces, dots and dashes are ignored.

    For a CCCD the structure of TT 07/2016 is checked: digits 1-3 a province
    code, digit 4 sex and century (even = male, odd = female; 0/1 = 1900s,
    2/3 = 2000s), digits 5-6 the last two digits of the birth year. When the
    citizen's ``birth_date`` or ``sex`` ("male"/"female"/"nam"/"nữ") is known,
    it is cross-checked and a mismatch is explained.
    """
    digits = _compact(_bare_number(raw, _ID_LABEL))
    if not digits:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if not _is_ascii_digits(digits):
        return Invalid(
            _("An ID number contains digits only, for example: {example}.").format(example=_ID_EXAMPLE),
            "id_chars",
        )
    if len(digits) == 9:
        # Digits 1-2 of a CMND are the issuing province (01 upwards) and the rest a serial: never all zeros.
        if digits[:2] == "00" or digits[2:] == "0" * 7:
            return _impossible_id(digits)
        return Valid(IdNumber(kind="cmnd", digits=digits))
    if len(digits) != 12:
        return Invalid(
            _(
                "An ID number has 12 digits (citizen identity card, CCCD) or 9 digits (old ID card, "
                "CMND); you typed {count} digits. Please check the number on your card, for example: "
                "{example}."
            ).format(count=len(digits), example=_ID_EXAMPLE),
            "id_length",
        )

    if digits[6:] == "000000":  # digits 7-12 are a serial number, which starts at 000001
        return _impossible_id(digits)
    province = int(digits[:3])
    if province not in CCCD_PROVINCES:
        return Invalid(
            _(
                "The first three digits of a CCCD number are a province code (for example 001 for "
                "Hà Nội, 079 for TP. Hồ Chí Minh), but {code} is not one. Please check the number "
                "on your card."
            ).format(code=digits[:3]),
            "id_province",
        )
    sex_century = int(digits[3])
    if sex_century > 3:  # 4-9 would mean born in 2100 or later
        return Invalid(
            _(
                "The 4th digit of a CCCD number shows sex and century of birth and must be 0, 1, 2 "
                "or 3; you typed {digit}. Please check the number on your card."
            ).format(digit=sex_century),
            "id_century",
        )
    id_year = 1900 + 100 * (sex_century // 2) + int(digits[4:6])
    id_sex: Sex = "male" if sex_century % 2 == 0 else "female"
    if birth_date is not None and birth_date.year // 100 != id_year // 100:
        century = id_year // 100 * 100
        return Invalid(
            _(
                "The 4th digit of your CCCD number ({digit}) means born between {start} and {end}, but you gave "
                "birth year {given_year}. Please check the ID number or your date of birth."
            ).format(digit=sex_century, start=century, end=century + 99, given_year=birth_date.year),
            "id_century_mismatch",
        )
    current_year = (today or date.today()).year
    if id_year > current_year:
        return Invalid(
            _(
                "This CCCD number shows birth year {year}, which has not come yet. Please check the "
                "number on your card."
            ).format(year=id_year),
            "id_future",
        )
    if birth_date is not None and birth_date.year != id_year:
        return Invalid(
            _(
                "Your CCCD number shows birth year {id_year} but you gave {given_year}. Please check "
                "the ID number or your date of birth."
            ).format(id_year=id_year, given_year=birth_date.year),
            "id_birth_year_mismatch",
        )
    if sex is not None:
        given = _parse_sex(sex)
        if isinstance(given, Invalid):
            raise ValueError(f"unrecognised sex value: {sex!r}")
        if given.value != id_sex:
            return Invalid(
                _(
                    "Your CCCD number shows sex {id_sex} but you gave {given_sex}. Please check "
                    "the ID number or your sex."
                ).format(id_sex=_sex_label(id_sex), given_sex=_sex_label(given.value)),
                "id_sex_mismatch",
            )
    return Valid(
        IdNumber(
            kind="cccd",
            digits=digits,
            province_code=province,
            province_name=CCCD_PROVINCES[province],
            sex=id_sex,
            birth_year=id_year,
        )
    )


def _impossible_id(digits: str) -> Invalid:
    return Invalid(
        _(
            "{number} cannot be a real ID number (CCCD or CMND): a province code or serial number of zeros is "
            "never issued. Please check the number on your card, for example: {example}."
        ).format(number=digits, example=_ID_EXAMPLE),
        "id_impossible",
    )


# --------------------------------------------------------------------------
# Mobile phone numbers
# --------------------------------------------------------------------------

# The 2018 conversion from 11 to 10 digits: only the prefix changed (policy-facts §10).
OLD_MOBILE_PREFIXES: dict[str, str] = {
    **{f"016{d}": f"03{d}" for d in "23456789"},  # Viettel 0162-0169 -> 032-039
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",  # MobiFone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",  # VinaPhone
    "0186": "056", "0188": "058",  # Vietnamobile
    "0199": "059",  # Gmobile
}  # fmt: skip

_PHONE_SEPARATORS = re.compile(r"[\s.\-–—()/]+")
_PHONE_EXAMPLE = "0912 345 678"
# One phone number inside an answer, however grouped: "0912345678 hoặc 0987 654 321" holds two.
_A_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)\d(?:[\s.\-]?\d){7,9}(?!\d)")


def _group_phone(number: str) -> str:
    return f"{number[:4]} {number[4:7]} {number[7:]}"


def phone(raw: str) -> Result[str]:
    """A Vietnamese mobile number in any common form, normalised to "0912345678"."""
    text = _compact(_bare_number(raw, _PHONE_LABEL), _PHONE_SEPARATORS)
    if not text:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if says_none(raw):
        return Invalid(
            _(
                "The application needs a mobile number, so that the commune can reach you about it, for example: "
                "{example}. If you have no phone, the village head (trưởng thôn) or the commune office can "
                "register you instead."
            ).format(example=_PHONE_EXAMPLE),
            "phone_missing",
        )
    found = _A_PHONE.findall(raw)
    if len(found) > 1:
        return Invalid(
            _(
                "Please type only one mobile number, the one the commune can reach you on, for example: {example}."
            ).format(example=_PHONE_EXAMPLE),
            "phone_two",
        )
    if not re.fullmatch(r"\+?[0-9]+", text):
        if found and not re.search(r"\d", _A_PHONE.sub("", raw)):
            # "dùng số của chồng 0912 345 678": the number alone, which may be a relative's.
            return Invalid(
                _(
                    "Please type the number alone, for example: {example}. A relative's number is fine if the "
                    "commune can reach you on it."
                ).format(example=_PHONE_EXAMPLE),
                "phone_words",
            )
        return Invalid(
            _("A phone number contains digits only, for example: {example}.").format(example=_PHONE_EXAMPLE),
            "phone_chars",
        )
    international = text.startswith(("+", "00"))
    text = text.lstrip("+")
    if text.startswith("00"):
        text = text[2:]
    # A national number always starts with 0, so a leading 84 is the country code.
    if international or (text.startswith("84") and len(text) in (11, 12)):
        if not text.startswith("84"):
            return Invalid(
                _(
                    "Please give a Vietnamese mobile number: 10 digits starting with 03, 05, 07, 08 "
                    "or 09, for example: {example}."
                ).format(example=_PHONE_EXAMPLE),
                "phone_invalid",
            )
        text = text[2:]
    national = text if text.startswith("0") else "0" + text

    if len(national) == 10 and national[1] in "35789":
        return Valid(national)
    if len(national) == 11 and national.startswith("01"):
        new_prefix = OLD_MOBILE_PREFIXES.get(national[:4])
        if new_prefix:
            return Invalid(
                _(
                    "Since 2018, 11-digit mobile numbers have changed to 10 digits (only the first "
                    "digits changed). Your number {old} is probably now {new}. Please check and "
                    "type your 10-digit number."
                ).format(old=national, new=_group_phone(new_prefix + national[4:])),
                "phone_old",
            )
        return Invalid(
            _(
                "Since 2018, mobile numbers starting with 01 have changed to 10 digits. Please type "
                "your current 10-digit number, for example: {example}."
            ).format(example=_PHONE_EXAMPLE),
            "phone_old",
        )
    if national.startswith("02"):
        return Invalid(
            _(
                "This looks like a landline number. Please give a mobile number (10 digits starting "
                "with 03, 05, 07, 08 or 09), for example: {example}."
            ).format(example=_PHONE_EXAMPLE),
            "phone_landline",
        )
    return Invalid(
        _(
            "A mobile number has 10 digits and starts with 03, 05, 07, 08 or 09, for example: "
            "{example}. Please check the number you typed."
        ).format(example=_PHONE_EXAMPLE),
        "phone_invalid",
    )


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_DATE_EXAMPLE = "05/07/2021"
_BIRTH_EXAMPLE = "15/08/1985"
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# "ngày", or "mùng"/"mồng" before the days 1 to 10 as people say them ("mùng 5 tháng 7"), folded.
_DAY_WORD = r"(?:ngay|mung|mong)"
_WORDY = re.compile(rf"(?:{_DAY_WORD}\s*)?(\d{{1,2}})\s*thang\s*(\d{{1,2}})(?:\s*(?:nam|,|/|-)?\s*(\d{{4}}|\d{{2}}))?")
_NUMERIC = re.compile(rf"(?:{_DAY_WORD}\s*)?(\d{{1,2}})\s*[/.\-\s]\s*(\d{{1,2}})(?:\s*[/.\-\s]\s*(\d{{4}}|\d{{2}}))?")
# A month without its day: "hết tháng 8" is its last day; "cuối tháng 8", "giữa tháng 7", "tháng 7" are no day.
_MONTH_ONLY = re.compile(
    r"(?:khoang\s+)?(?:(dau|giua|cuoi|het)\s+)?thang\s*(\d{1,2})(?:\s*(?:nam|,|/|-)?\s*(\d{4}|\d{2}))?"
)
_PART_DAY = {"dau": 1, "giua": 15, "cuoi": 31, None: 15}  # the day a part of a month suggests (31: its last)
_COMPACT = re.compile(r"(\d{2})(\d{2})(\d{4})")
YEAR_RANGE = (1900, 2100)  # dates in these forms: births since 1900, periods and decisions around 2021


def _date_parts(text: str) -> tuple[int, int, str | None] | None:
    """(day, month, year text or None); the order is always day-month-year, except ISO yyyy-mm-dd."""
    if m := _ISO.fullmatch(text):
        return int(m[3]), int(m[2]), m[1]
    for pattern in (_WORDY, _NUMERIC, _COMPACT):
        if m := pattern.fullmatch(text):
            return int(m[1]), int(m[2]), m[3]
    return None


# Words around a date ("sinh ngày …", "dạ … ạ"), folded; "ngày" itself is read by the patterns.
# Words before a date: "dạ", "em", "sinh ngày", and the from or until of a period ("kể từ", "em nghỉ từ ngày",
# "cho đến ngày", "tới"; "tôi" and "tới" fold alike), folded.
_DATE_LEAD = re.compile(
    r"^(?:(?:da|vang|thua|toi|em|minh|con|chau)\s+)*"
    r"(?:(?:nghi|mat\s+viec|dong\s+cua|ngung)\s+)?"
    r"(?:(?:ke\s+|bat\s+dau\s+)?tu|bat\s+dau|(?:cho\s+)?(?:den|toi))?\s*"
    r"(?:ngay\s+sinh|sinh\s+ngay|sinh|vao|ngay|hom)?\s*:?\s*"
)
_DATE_TAIL = re.compile(r"(?:\s+(?:a|nhe|nha))+$")
_LUNAR = re.compile(r"\bam\s*lich\b|\bal\b")


def _full_year(year_text: str, pivot_year: int) -> int:
    """Two-digit years: the latest year not after the pivot ("85" -> 1985, "21" -> 2021)."""
    if len(year_text) != 2:
        return int(year_text)
    year = 2000 + int(year_text)
    return year - 100 if year > pivot_year else year


def _month_without_day(m: re.Match[str], default_year: int | None, pivot_year: int, example: str) -> Result[date]:
    """ "hết tháng 8": the month's last day. "cuối tháng 8", "giữa tháng 7": asked for the day, with a date of
    that month as the example where the year is known (never for a birth date: no day is suggested there)."""
    part, month = m[1], int(m[2])
    year = _full_year(m[3], pivot_year) if m[3] else default_year
    if not 1 <= month <= 12 or year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return Invalid(
            _("Please type the date as day/month/year, for example: {example}.").format(example=example),
            "date_format",
        )
    last = calendar.monthrange(year, month)[1]
    if part == "het":
        return Valid(date(year, month, last))
    if default_year is not None:
        example = fmt_day(date(year, month, min(_PART_DAY[part], last)))
    return Invalid(
        _(
            "The application needs the exact day. Please type the day in month {month} as day/month/year, "
            "for example: {example}."
        ).format(month=month, example=example),
        "date_vague",
    )


def _parse_date(raw: str, default_year: int | None, pivot_year: int, example: str = _DATE_EXAMPLE) -> Result[date]:
    text = fold(unicodedata.normalize("NFKC", _strip_invisible(raw)))
    text = _SPACES.sub(" ", text).strip().rstrip(".")
    if not text:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if _LUNAR.search(text):
        return Invalid(
            _(
                "Please give the date in the solar calendar (dương lịch), as on your ID card, for example: {example}."
            ).format(example=example),
            "date_lunar",
        )
    parts = _date_parts(text) or _date_parts(_DATE_TAIL.sub("", _DATE_LEAD.sub("", text, count=1)).strip())
    if parts is None and (ongoing := _ONGOING_TAIL.search(text)) is not None:
        # "từ 1/7 đến giờ" at the step of the start: the start (parse_date reads an end still going on first).
        parts = _date_parts(_DATE_LEAD.sub("", text[: ongoing.start()], count=1).strip())
    if parts is None:
        month_only = _MONTH_ONLY.fullmatch(_DATE_TAIL.sub("", _DATE_LEAD.sub("", text, count=1)).strip())
        if month_only is not None:
            return _month_without_day(month_only, default_year, pivot_year, example)
        return Invalid(
            _("Please type the date as day/month/year, for example: {example}.").format(example=example),
            "date_format",
        )
    day_no, month, year_text = parts
    if year_text is None:
        if default_year is None:
            return Invalid(
                _("Please include the year, for example: {example}.").format(example=example),
                "date_no_year",
            )
        year = default_year
    else:
        year = _full_year(year_text, pivot_year)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        if year_text is not None and len(year_text) == 4:  # a full year, just not a plausible one
            return Invalid(
                _(
                    "The year {year} is outside the range {first}–{last} that dates here can have. Please check it."
                ).format(year=year, first=YEAR_RANGE[0], last=YEAR_RANGE[1]),
                "date_year",
            )
        return Invalid(
            _("The year {year} does not look right. Please type the full year, for example: {example}.").format(
                year=year, example=example
            ),
            "date_year",
        )
    if not 1 <= month <= 12:
        return Invalid(
            _(
                "The month must be from 1 to 12, but you typed {month}. Please type the date as "
                "day/month/year, for example: {example}."
            ).format(month=month, example=example),
            "date_month",
        )
    if not 1 <= day_no <= 31:
        return Invalid(
            _(
                "The day must be from 1 to 31, but you typed {day}. Please type the date as day/month/year, "
                "for example: {example}."
            ).format(day=day_no, example=example),
            "date_day",
        )
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day_no <= days_in_month:
        return Invalid(
            _("The date {date} does not exist: month {month} of {year} has only {days} days.").format(
                date=f"{day_no:02d}/{month:02d}/{year}", month=month, year=year, days=days_in_month
            ),
            "date_day",
        )
    return Valid(date(year, month, day_no))


# "hôm nay" / "hôm qua" and their chat forms, folded; the value is the number of days back.
_RELATIVE_DAYS: dict[str, int] = {
    **dict.fromkeys(("hom nay", "hnay", "h nay", "homnay", "bua nay", "ngay hom nay", "ngay nay", "today"), 0),
    **dict.fromkeys(("hom qua", "hqua", "h qua", "homqua", "bua qua", "ngay hom qua", "yesterday"), 1),
    **dict.fromkeys(("hom kia", "hkia", "bua kia"), 2),
}


# An end that has not come: "đến nay", "vẫn đang đóng cửa", "chưa mở cửa lại", "vẫn chưa có việc làm" (folded).
# Closing words after "still", reopening words after "not yet"; "vẫn đi làm" (still working) is neither.
_STILL = r"(?:van|con|dang|hien|hien tai|hien nay|van con|van dang|hien van|hien tai van|hien van dang)"
_CLOSED = r"(?:dong cua|nghi|nghi viec|nghi ban|ngung|tam ngung|tam dung|dung|phong toa|gian cach|that nghiep)"
_REOPENED = r"(?:mo cua|mo|ket thuc|het|hoat dong|ban|lam|di lam|co viec|co viec lam|duoc mo|duoc mo cua|duoc lam)"
_NOT_OVER = rf"(?:{_STILL} {_CLOSED}|(?:{_STILL} )?chua (?:duoc )?{_REOPENED})(?: \w+)*"
_UNTIL_NOW = re.compile(rf"(?:(?:cho )?(?:den|toi) (?:nay|gio|bay gio|hien tai|hom nay))(?: {_NOT_OVER})?|{_NOT_OVER}")
# The same after a date: "từ 1/7 đến giờ", "từ 15/7 đến nay vẫn chưa có việc" (folded).
_ONGOING_TAIL = re.compile(rf"\s+(?:{_UNTIL_NOW.pattern})(?:\s+(?:a|nhe|nha))*$")


def _folded_day(raw: str) -> str:
    """A typed day's words, folded, for the relative and "until now" readings."""
    return _SPACES.sub(" ", fold(unicodedata.normalize("NFKC", _strip_invisible(raw)))).strip(" .!")


def still_going_on(raw: str) -> bool:
    """A date said with its "until now": "từ 15/7 đến nay", "từ 1/7 đến giờ vẫn chưa có việc"."""
    return _ONGOING_TAIL.search(_folded_day(raw)) is not None


def relative_day(raw: str, today: date, until_now: bool = False) -> date | None:
    """ "hôm nay" -> today, "hôm qua"/"hqua" -> yesterday, "hôm kia" -> the day before; else None.
    With ``until_now``, an end that has not come ("đến nay", "vẫn đang đóng cửa") is today too."""
    text = _folded_day(raw)
    back = _RELATIVE_DAYS.get(text)
    if back is None and until_now:
        said = " ".join(w for w in re.findall(r"[a-z0-9]+", text) if w not in _YES_NO_TAIL)
        # "đến nay" alone, or after the start ("từ 1/7 đến nay"): still going on
        back = 0 if _UNTIL_NOW.fullmatch(said) or _ONGOING_TAIL.search(text) else None
    return None if back is None else date.fromordinal(today.toordinal() - back)


def parse_date(
    raw: str,
    earliest: date | None = None,
    latest: date | None = None,
    default_year: int | None = None,
    today: date | None = None,
    until_now: bool = False,
) -> Result[date]:
    """A day-month-year date: "05/07/2021", "5/7/2021", "05-07-2021", "05.07.2021",
    "05072021", "5/7/21", "ngày 5 tháng 7 năm 2021", ISO "2021-07-05", and "5/7"
    when ``default_year`` is given. Never read as month/day. With ``today`` given,
    also "hôm nay", "hôm qua" (and "hnay", "hqua", "hôm kia"); with ``until_now`` too, the end
    of something still going on ("đến nay", "vẫn đang đóng cửa") as today.

    A two-digit year is the latest such year not after ``latest`` (or
    ``default_year``, or this year).
    """
    pivot = latest.year if latest else default_year or date.today().year
    relative = relative_day(raw, today, until_now) if today is not None else None
    result = Valid(relative) if relative is not None else _parse_date(raw, default_year, pivot)
    if isinstance(result, Invalid):
        return result
    value = result.value
    if earliest is not None and value < earliest:
        return Invalid(
            _("The date must be on or after {earliest}; you typed {value}.").format(
                earliest=fmt_day(earliest), value=fmt_day(value)
            ),
            "date_too_early",
        )
    if latest is not None and value > latest:
        return Invalid(
            _("The date must be on or before {latest}; you typed {value}.").format(
                latest=fmt_day(latest), value=fmt_day(value)
            ),
            "date_too_late",
        )
    return result


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# "1985", "sinh năm 85", "năm 1985" (folded): a year without its day and month.
_YEAR_ONLY = re.compile(r"(?:(?:toi |em |minh )?(?:sinh )?(?:nam )?)(?:19|20)?\d{2}")


def birth_date(
    raw: str, today: date, min_age: int = 15, max_age: int = 120, age_on: date | None = None
) -> Result[date]:
    """A date of birth giving an age from ``min_age`` to ``max_age`` on ``age_on`` (default ``today``).

    15 is the working age of the Employment Law (Luật Việc làm, khoản 1 Điều 3);
    pass ``min_age=0`` for children (F0/F1 support). A support programme of the past passes
    ``age_on`` inside its period: the applicant had to be of age then, not today.
    """
    result = _parse_date(raw, default_year=None, pivot_year=today.year, example=_BIRTH_EXAMPLE)
    if isinstance(result, Invalid) and _YEAR_ONLY.fullmatch(fold(raw).strip(" .")):
        return Invalid(
            _(
                "Please type the whole date of birth, day, month and year, as on your ID card, for example: {example}."
            ).format(example=_BIRTH_EXAMPLE),
            "birth_year_only",
        )
    if isinstance(result, Invalid):
        return result
    born = result.value
    if born > today:
        return Invalid(
            _("The date of birth {value} is in the future. Please check it, for example: 15/08/1985.").format(
                value=fmt_day(born)
            ),
            "birth_future",
        )
    on = min(age_on, today) if age_on else today
    age = _age(born, on)
    if age < min_age and age_on is not None:
        return Invalid(
            _(
                "The applicant must have been at least {min_age} years old during the support period; the date "
                "of birth {value} gives an age of {age} on {on}."
            ).format(min_age=min_age, value=fmt_day(born), age=age, on=fmt_day(on)),
            "birth_too_young",
        )
    if age < min_age:
        return Invalid(
            _(
                "The applicant must be at least {min_age} years old; the date of birth {value} gives an age of {age}."
            ).format(min_age=min_age, value=fmt_day(born), age=age),
            "birth_too_young",
        )
    if age > max_age:
        return Invalid(
            _(
                "The date of birth {value} gives an age of {age}, which does not look right. Please check the year."
            ).format(value=fmt_day(born), age=age),
            "birth_too_old",
        )
    return result


# --------------------------------------------------------------------------
# Periods
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date
    days: int  # counted inclusively: 01/07 to 15/07 is 15 days
    days_in_window: int


def period(
    start: date,
    end: date,
    window_start: date = date(2021, 5, 1),
    window_end: date = date(2021, 12, 31),
    min_days: int = 15,
) -> Result[Period]:
    """A stoppage/suspension period: end not before start, some of it inside the
    support window, at least ``min_days`` consecutive days counted inclusively.

    Only the days inside the window count towards ``min_days`` (QĐ 23 asks for the stoppage
    to last so long "trong thời gian từ ngày 01/5/2021 đến hết ngày 31/12/2021"): a closure
    from 27/4 counts from 01/5.
    """
    if end < start:
        return Invalid(
            _("The end date {end} is before the start date {start}. Please check the two dates.").format(
                end=fmt_day(end), start=fmt_day(start)
            ),
            "period_order",
        )
    if end < window_start:
        return Invalid(
            _("The period ended on {end}, before {window_start}: only the days from {window_start} count.").format(
                window_start=fmt_day(window_start), end=fmt_day(end)
            ),
            "period_before_window",
        )
    if start > window_end:
        return Invalid(
            _("The period must start no later than {window_end}; you gave {start}.").format(
                window_end=fmt_day(window_end), start=fmt_day(start)
            ),
            "period_after_window",
        )
    days = (end - start).days + 1
    if days < min_days:
        return Invalid(
            _(
                "The stoppage must last at least {min_days} consecutive days; you gave {days} days "
                "(from {start} to {end})."
            ).format(min_days=min_days, days=days, start=fmt_day(start), end=fmt_day(end)),
            "period_too_short",
        )
    days_in_window = (min(end, window_end) - max(start, window_start)).days + 1
    if days_in_window < min_days and start < window_start:
        return Invalid(
            _(
                "Only the days from {window_start} count: your period has {days} days from then, fewer "
                "than the required {min_days}."
            ).format(window_start=fmt_day(window_start), days=days_in_window, min_days=min_days),
            "period_outside_window",
        )
    if days_in_window < min_days:
        return Invalid(
            _(
                "Only days up to {window_end} count: your period has {days} days before then, fewer "
                "than the required {min_days}."
            ).format(window_end=fmt_day(window_end), days=days_in_window, min_days=min_days),
            "period_outside_window",
        )
    return Valid(Period(start=start, end=end, days=days, days_in_window=days_in_window))


# --------------------------------------------------------------------------
# Bank accounts and tax codes
# --------------------------------------------------------------------------


# --------------------------------------------------------------------------
# Amounts of money (đồng)
# --------------------------------------------------------------------------

MAX_AMOUNT_VND = 1_000_000_000  # no support payment comes near it: a larger figure is a typing slip
_CURRENCY = re.compile(r"\s*(?:vnd|dong|d)\.?$")  # folded: "đồng", "VNĐ", "đ"
_GROUPED = re.compile(r"\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*")  # 3.000.000, 3,000,000, 3 000 000
# "3 triệu", "3,71tr", "500k", "800 nghìn", and "1tr855" (1 triệu 855 nghìn; "1tr8" is 1,8 triệu).
_SCALED = re.compile(r"(\d+(?:[.,]\d+)?)\s*(trieu|tr|nghin|ngan|k)\s*(\d{1,3}|ruoi)?")
_SCALES = {"trieu": 1_000_000, "tr": 1_000_000, "nghin": 1_000, "ngan": 1_000, "k": 1_000}


def money_vnd(raw: str, maximum: int = MAX_AMOUNT_VND) -> Result[int]:
    """A whole amount in đồng as officials write it: "3.000.000", "3.000.000 đồng", "3 triệu", "1tr855", "500k".

    A fraction of a đồng ("3.000.000,50") or two figures are refused rather than read as one long number."""
    text = fold(unicodedata.normalize("NFKC", _strip_invisible(raw))).replace("₫", "").strip()
    text = _CURRENCY.sub("", text).strip()
    value: int | None = None
    if _GROUPED.fullmatch(text) or re.fullmatch(r"\d+", text):
        value = int(re.sub(r"[.,\s]", "", text))
    elif m := _SCALED.fullmatch(text):
        scale = _SCALES[m[2]]
        # Thousands are grouped, never decimal: "2.000k" is 2.000 nghìn (2 triệu), not 2 đồng times 1.000.
        number = re.sub(r"[.,]", "", m[1]) if scale == 1_000 and _GROUPED.fullmatch(m[1]) else m[1].replace(",", ".")
        whole = round(float(number) * scale)
        if m[3] == "ruoi":  # "1 triệu rưỡi": and a half
            whole += scale // 2
        elif m[3] and scale == 1_000_000:
            whole += int(m[3].ljust(3, "0")) * 1_000
        if not m[3] or m[3] == "ruoi" or scale == 1_000_000:
            value = whole
    if value is None or not 0 < value <= maximum:
        return Invalid(_("Please type the amount in đồng, for example 3.000.000 or 3 triệu."), "amount")
    return Valid(value)


def bank_account(raw: str) -> Result[str]:
    """6-19 digits once spaces, dots and dashes are removed."""
    digits = _compact(_bare_number(raw, _ACCOUNT_LABEL))
    if not digits:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if not _is_ascii_digits(digits):
        return Invalid(
            _(
                "A bank account number contains digits only, for example: 0123 4567 8901. Please "
                "copy it from your bank card or banking app."
            ),
            "account_chars",
        )
    if not 6 <= len(digits) <= 19:
        return Invalid(
            _(
                "A bank account number has 6 to 19 digits; you typed {count}. Please copy it from "
                "your bank card or banking app."
            ).format(count=len(digits)),
            "account_length",
        )
    return Valid(digits)


_MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def _mst_check_ok(ten: str) -> bool:
    """The 10th digit of an MST is a check digit: 10 - (weighted sum mod 11)."""
    if ten[2:9] == "0000000":
        return False
    total = sum(w * int(d) for w, d in zip(_MST_WEIGHTS, ten, strict=False))
    return str(10 - total % 11) == ten[9]


def tax_code(raw: str, today: date | None = None) -> Result[str]:
    """A tax code (mã số thuế): 10 digits, 10+3 for a branch ("0101234565-001"),
    or 12 digits (from 2021 personal tax codes migrate to the CCCD number).

    Output: "0101234565", "0101234565-001" or the 12 digits.
    """
    text = _compact(raw, re.compile(r"[\s.]+"))
    text = re.sub(r"[–—_]", "-", text)
    if not text:
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    format_error = Invalid(
        _(
            "A tax code has 10 digits, or 10 digits and a 3-digit branch number (for example "
            "0101234565-001), or 12 digits (your CCCD number). Please check what you typed."
        ),
        "tax_format",
    )
    if m := re.fullmatch(r"([0-9]{10})(?:-?([0-9]{3}))?", text):
        main, branch = m[1], m[2]
        if not _mst_check_ok(main) or branch == "000":
            return Invalid(
                _(
                    "The tax code {code} does not pass its check digit, so a digit is probably "
                    "mistyped. Please copy it from your tax registration or business licence."
                ).format(code=text),
                "tax_check",
            )
        return Valid(f"{main}-{branch}" if branch else main)
    if re.fullmatch(r"[0-9]{12}", text):
        as_id = id_number(text, today=today)
        return Valid(text) if isinstance(as_id, Valid) else as_id
    return format_error


# --------------------------------------------------------------------------
# Natural answers: yes / no, a choice by part of its name, a bank
# --------------------------------------------------------------------------

YesNo = Literal["yes", "no", "unsure"]

# Folded, teencode expanded (messages.normalize.words: "ko", "k", "hk" -> "khong"), spaces collapsed.
_YES = frozenset(
    {
        "co", "co a", "co nhe", "da co", "vang", "vang a", "da", "da vang", "u", "uh", "um", "uhm", "uk", "u co",
        "dung", "dung roi", "dung vay", "dung a", "phai", "phai a", "chuan", "ok", "oke", "okay", "yes", "y",
        "co roi", "roi", "co chu", "tat nhien", "dong y", "o", "dung do", "dung the", "phai roi", "chinh xac",
    }
)  # fmt: skip
_NO = frozenset(
    {
        "khong", "khong co", "khong a", "khong nhe", "da khong", "khong phai", "khong dung", "chua", "chua co",
        "chua a", "sai", "no", "n", "khong co a", "ko co", "khong roi", "khong he", "khong bao gio",
        "khong dong y", "chua dong y", "tu choi",
    }
)  # fmt: skip
# Words around a yes or a no: "ok tôi đồng ý", "em có ạ", "dạ không ạ" (folded).
_YES_NO_HEAD = frozenset({"toi", "em", "minh", "con", "chau", "ok", "oke", "thi", "vay"})
_YES_NO_TAIL = frozenset({"a", "nhe", "nha", "ne", "ha"})


def _yes_no_core(text: str) -> str:
    said = text.split()
    while len(said) > 1 and said[-1] in _YES_NO_TAIL:
        said.pop()
    while len(said) > 1 and said[0] in _YES_NO_HEAD:
        said.pop(0)
    return " ".join(said)


_UNSURE = frozenset(
    {
        "khong biet", "chua biet", "khong ro", "chua ro", "khong chac", "chua chac", "khong nho", "co the",
        "chac vay", "hinh nhu", "khong biet nua", "khong chac lam", "not sure", "?",
    }
)  # fmt: skip


def yes_no(raw: str, unsure: bool = False) -> Result[YesNo]:
    """ "có", "ừ", "vâng", "đúng" -> yes; "không", "ko", "k", "không có", "chưa" -> no; with ``unsure``,
    "không biết", "chưa rõ" -> unsure (checked first: "không biết" is not a no)."""
    text = " ".join(words(unicodedata.normalize("NFC", raw)))
    if not text and raw.strip() == "?":
        text = "?"
    for said in (text, _yes_no_core(text)):
        if unsure and said in _UNSURE:
            return Valid("unsure")
        if said in _YES:
            return Valid("yes")
        if said in _NO:
            return Valid("no")
    if (agreed := _all_agree(_yes_no_core(text).split())) is not None:
        return Valid(agreed)
    if (restated := _restated(_yes_no_core(text).split())) is not None:
        return Valid(restated)
    return Invalid(_("Please answer “Có” (yes) or “Không” (no), or press a button below."), "yes_no")


# After "có"/"không", words that make no plain yes or no: a hedge ("không biết", "có thể"), a question ("có sao
# không"), or the start of one ("có phải").
_NOT_RESTATED = frozenset({"biet", "ro", "chac", "nho", "hieu", "the", "le", "khi", "phai", "sao", "gi", "nao", "bao"})


def _restated(said: list[str]) -> YesNo | None:
    """A yes or no that repeats a few words of the question: "không có bầu", "chưa có thai", "có mang thai"."""
    while said and said[0] in _OPENERS:
        said = said[1:]
    head, rest = (said[0], said[1:]) if said else ("", [])
    if not 1 <= len(rest) <= 3 or rest[0] in _NOT_RESTATED or {"khong", "chua"} & set(rest):
        return None
    return "no" if head in ("khong", "chua") else "yes" if head == "co" else None


# Polite openers that agree with whatever follows: "dạ không phải" is a no, "ừ đúng rồi" a yes.
_OPENERS = frozenset({"da", "vang", "u", "uh", "thua"})


def _all_agree(said: list[str]) -> YesNo | None:
    """Several yes (or several no) phrases in a row, with polite words between: "có ạ đúng rồi", "dạ phải"."""
    found: set[YesNo] = set()
    i = 0
    while i < len(said):
        if said[i] in _OPENERS | _YES_NO_TAIL:
            i += 1
            continue
        for size in (3, 2, 1):
            phrase = " ".join(said[i : i + size])
            answer: YesNo | None = "yes" if phrase in _YES else "no" if phrase in _NO else None
            if answer is not None:
                found.add(answer)
                i += size
                break
        else:
            return None  # a word that is neither: a sentence, not an answer
    return found.pop() if len(found) == 1 else None


# "There is none": "không có", "chưa có số", "em không có điện thoại ạ" (folded, the words around dropped).
_NONE = re.compile(
    # "quán không có tên", "tiệm chưa có giấy phép": the business (or the home) said first.
    r"(?:(?:quan|tiem|cua hang|sap|ho|ho kinh doanh|hkd|nha|nha em|nha toi|cho) )?"
    r"(?:hien )?(?:khong|ko|k|kh|chua)(?: co)?"
    r"(?: (?:so|sdt|dt|dien thoai|so dien thoai|ten|ten rieng|gi|ca|dau|nua|ai|giay to|giay|anh|hinh|file"
    r"|tai lieu|them|ma so thue|ma|mst|thue|giay phep|dang ky|van ban))*"
    r"|(?:khong|ko) can(?: (?:dau|nua|gui))*"
)


def _bare(raw: str) -> str:
    """The answer folded, without the words around it ("dạ", "em", "ạ", "nhé")."""
    said = words(unicodedata.normalize("NFC", raw))
    while said and said[0] in _YES_NO_HEAD | {"da", "thua"}:
        said = said[1:]
    while said and said[-1] in _YES_NO_TAIL:
        said = said[:-1]
    return " ".join(said)


def says_none(raw: str) -> bool:
    """An answer that there is nothing to give: on a step that may be skipped, it skips."""
    return _NONE.fullmatch(_bare(raw)) is not None


# "That is all" after sending photos: "xong rồi", "hết rồi ạ", "đủ rồi" (folded, polite words dropped).
_DONE = frozenset({"xong", "xong roi", "het", "het roi", "du", "du roi", "gui xong", "gui xong roi", "vay thoi"})


def says_unsure(raw: str) -> bool:
    """ "không biết", "không nhớ số văn bản", "quên rồi" (and the words around them): the answer is not known
    (not a hedge: "có thể", "chắc vậy" and a bare "?" may still come with an answer)."""
    said = _bare(raw)
    return (said in _UNSURE and said not in _HEDGES) or _FORGOTTEN.fullmatch(said) is not None


_HEDGES = frozenset({"co the", "chac vay", "hinh nhu", "?"})


def gives_nothing(raw: str) -> bool:
    """Nothing to give ("không có", "chưa có mã số thuế") or not known ("không nhớ", "quên rồi")."""
    return says_none(raw) or says_unsure(raw)


# "I don't remember / know" and a few words of what: "không nhớ số văn bản", "quên mất rồi" (folded).
_FORGOTTEN = re.compile(r"(?:(?:khong|chua) (?:nho|biet|ro)|quen(?: mat)?)(?: \w+){0,4}")


# An account holder who is the applicant: "chính tôi", "tài khoản của em", "giống tên trên" (folded): the speaker
# or "the name above", and only the words around them.
_SELF_WORDS = frozenset({"toi", "em", "minh", "con", "chau"})
_HOLDER_WORDS = frozenset(
    {"la", "chinh", "cua", "ten", "chu", "tai", "khoan", "dung", "giong", "nhu", "trung", "voi", "o", "ban", "than"}
)


def names_the_applicant(raw: str) -> bool:
    """ "chính tôi", "là em ạ", "tài khoản của tôi", "giống tên trên": the applicant, not a name typed."""
    said = [w for w in words(unicodedata.normalize("NFC", raw)) if w not in _YES_NO_TAIL | {"da", "vang", "thua"}]
    if not said or any(w not in _SELF_WORDS | _HOLDER_WORDS | {"tren"} for w in said):
        return False
    return any(w in _SELF_WORDS for w in said) or "tren" in said or said[-2:] == ["ban", "than"]


# A length of time instead of a date: "20 ngày", "1 tháng", "hai tuần", "nửa tháng" (folded).
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9}
_LENGTH = re.compile(
    r"(?:(?:khoang|tam|chung|gan|hon|duoc|nghi|mat viec|dong cua)\s+)*"
    r"(\d{1,3}|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|muoi|nua)\s*(ngay|tuan|thang)(?:\s+(?:roi|nay|a|nhe|nha))*"
)


def _folded_length(raw: str) -> str:
    return _SPACES.sub(" ", fold(unicodedata.normalize("NFKC", raw))).strip(" .!")


def length_of_time(raw: str) -> tuple[int, str] | None:
    """ "20 ngày" -> (20, "ngay"), "hai tuần" -> (2, "tuan"), "nửa tháng" -> (15, "ngay"); else None."""
    return _length(_folded_length(raw))


def _length(said: str) -> tuple[int, str] | None:
    m = _LENGTH.fullmatch(said)
    if m is None:
        return None
    count, unit = m[1], m[2]
    if count == "nua":
        return (15, "ngay") if unit == "thang" else (4, "ngay") if unit == "tuan" else None
    n = int(count) if count.isdigit() else 10 if count == "muoi" else _NUMBER_WORDS[count]
    return (n, unit) if n > 0 else None


def length_in_days(raw: str) -> int | None:
    """A number of days as typed: "14", "14 ngày", "2 tuần", "khoảng 20 ngày ạ" (a month counts 30)."""
    said = _folded_length(raw)
    if said.isdigit():
        return int(said)
    length = _length(said)
    if length is None:
        return None
    n, unit = length
    return n * {"ngay": 1, "tuan": 7, "thang": 30}[unit]


def length_end(raw: str, start: date) -> date | None:
    """The last day of a length of time typed from `start` ("20 ngày": 20 days counting `start`), else None."""
    length = length_of_time(raw)
    if length is None:
        return None
    n, unit = length
    if unit == "thang":
        month_index = start.month - 1 + n
        year, month = start.year + month_index // 12, month_index % 12 + 1
        same_day = date(year, month, min(start.day, calendar.monthrange(year, month)[1]))
        return date.fromordinal(same_day.toordinal() - 1)
    return date.fromordinal(start.toordinal() + n * (7 if unit == "tuan" else 1) - 1)


def says_done(raw: str) -> bool:
    return _bare(raw) in _DONE


# Under a summary ("If everything is correct, press Confirm"): the words that confirm it, besides a yes.
_CONFIRM = frozenset(
    {"xac nhan", "gui", "gui di", "nop", "nop di", "gui ho so", "nop ho so", "dong y", "ghi nhan", "luu", "xong"}
)
# …and those that say it is wrong, besides a no.
_NOT_RIGHT = frozenset({"sai", "sai roi", "chua dung", "khong dung", "nham", "nham roi", "can sua", "sua", "sua lai"})


def confirms(raw: str) -> YesNo | None:
    """What is typed under a summary that asks to confirm: "yes" ("ok", "đồng ý", "xác nhận ạ", "gửi đi"), "no"
    ("không", "sai rồi", "chưa đúng"), None for anything else."""
    if _bare(raw) in _CONFIRM:
        return "yes"
    answered = yes_no(raw)
    if isinstance(answered, Valid) and answered.value != "unsure":
        return answered.value
    return "no" if _bare(raw) in _NOT_RIGHT else None


def choose_a_button() -> Invalid:
    """A typed answer that names no option: the buttons, or the option's number (each channel takes "1")."""
    return Invalid(_("Please choose one of the buttons below, or type its number (e.g. 1)."), "choose")


CHOICE_CUTOFF = 80.0  # each typed word this close (rapidfuzz ratio) to a word of the label: "phe lieuu"
# Words around the answer that name no option: "tôi", "em", "chạy", "làm nghề", "là".
_FILLER = frozenset({"toi", "em", "minh", "chay", "lam", "nghe", "la", "di", "o", "thi", "a", "nhe", "cong", "viec"})
CHOICE_MARGIN = 8.0  # and its lead over the next choice


def choice(raw: str, options: Sequence[tuple[str, str]], typos: bool = True) -> Result[str]:
    """The value of the option whose label the answer names: the whole label, or a part of it
    ("bán vé số" for "Bán lẻ vé số lưu động", "xe ôm" for "Lái xe mô tô 2 bánh chở khách (xe ôm)"),
    without diacritics or with a small typo. ``options`` are (label as shown, value).

    Several options that fit equally well are not guessed between; without ``typos``, every word typed
    must be in the label as it is."""
    typed = search_key(raw)
    if len(typed.replace(" ", "")) < 2:
        return choose_a_button()
    keys = [(search_key(label), value) for label, value in options]
    exact = [value for key, value in keys if key == typed]
    if exact:
        return Valid(exact[0])
    typed_words = set(typed.split())
    typed_words = (typed_words - _FILLER) or typed_words  # "chạy xe ôm", "tôi làm nghề bán vé số"
    # Every word typed is in the label ("ve so" in "ban le ve so luu dong").
    within = list(dict.fromkeys(value for key, value in keys if typed_words <= set(key.split())))
    if len(within) == 1:
        return Valid(within[0])
    if len(within) > 1:
        return Invalid(
            _("Several options match “{text}”; please press the one you mean.").format(text=nfc_short(raw)),
            "choose_ambiguous",
        )
    if not typos:
        return choose_a_button()
    # With a typo: every word typed is close to a word of the label ("ban ve soo", "boc vat").
    best: dict[str, float] = {}  # an option named several ways scores its best name
    for key, value in keys:
        best[value] = max(best.get(value, 0.0), _words_score(typed_words, set(key.split())))
    scored = sorted(((score, value) for value, score in best.items()), reverse=True)
    if scored and scored[0][0] >= CHOICE_CUTOFF:
        if len(scored) == 1 or scored[0][0] - scored[1][0] >= CHOICE_MARGIN:
            return Valid(scored[0][1])
        return Invalid(
            _("Several options match “{text}”; please press the one you mean.").format(text=nfc_short(raw)),
            "choose_ambiguous",
        )
    return choose_a_button()


def _words_score(typed: set[str], label: set[str]) -> float:
    """The worst, over the words typed, of the best rapidfuzz ratio against a word of the label;
    a word of three letters or fewer must be in the label as it is ("tho" is not "ho")."""
    if not label:
        return 0.0
    worst = 100.0
    for word in typed:
        best = max(fuzz.ratio(word, other) for other in label) if len(word) > 3 else 100.0 * (word in label)
        worst = min(worst, best)
    return worst


def nfc_short(raw: str, limit: int = 60) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", _strip_invisible(raw))).strip()[:limit]


_BRANCH = re.compile(r"\s*[-–,(]?\s*\b(?:chi nhanh|cn|phong giao dich|pgd)\b", re.IGNORECASE)


# E-wallets and payment services, folded: no bank account ("ví MoMo", "Viettel Money").
_WALLET = re.compile(
    r"\b(?:vi\s+)?(?:momo|zalo\s*pay|viettel\s*(?:money|pay)|vnpt\s*(?:money|pay)|shopee\s*pay|moca|vnpay|vi dien tu)\b"
)
_NO_ACCOUNT = re.compile(r"\b(?:khong|ko|chua)\s+(?:co\s+)?(?:tai khoan|the|stk)\b")


def names_a_wallet(raw: str) -> bool:
    """ "ví momo", "zalopay": an e-wallet named, which is no bank."""
    return _WALLET.search(fold(unicodedata.normalize("NFC", raw))) is not None


def bank_name(raw: str) -> Result[str]:
    """A bank as the bank writes its name: "vietcombank", "VCB", "ngân hàng ngoại thương" -> "Vietcombank";
    a branch typed after it is kept ("BIDV chi nhánh Lạng Sơn" -> "BIDV – chi nhánh Lạng Sơn").
    A name not in messages/banks.toml (a people's credit fund, a new bank) is kept as typed."""
    cleaned = clean_text(raw, max_len=100)
    if isinstance(cleaned, Invalid):
        return cleaned
    text = cleaned.value
    folded = fold(text)
    if gives_nothing(text) or _NO_ACCOUNT.search(folded):
        return Invalid(
            _(
                "The bank's name is on your ATM card, your account book or your bank's app (e.g. Agribank, "
                "Vietcombank, BIDV). If you have no bank account, press “« Quay lại” and choose to receive the "
                "money in cash at the commune People's Committee."
            ),
            "bank_unknown",
        )
    if names_a_wallet(text):
        return Invalid(
            _(
                "{wallet} is an e-wallet, not a bank. The support is paid into a bank account or in cash: type "
                "the name of your bank (e.g. Agribank, Vietcombank, BIDV), or press “« Quay lại” and choose "
                "cash at the commune People's Committee."
            ).format(wallet=text),
            "bank_wallet",
        )
    if _is_ascii_digits(_compact(text)):
        return Invalid(
            _(
                "That looks like an account number. First type the name of the bank "
                "(e.g. Agribank, Vietcombank, BIDV); the account number comes next."
            ),
            "bank_digits",
        )
    bank = banks.match(text)
    if bank is not None:
        return Valid(bank.name)
    if (m := _BRANCH.search(folded)) and m.start() > 0:
        found = banks.match(text[: m.start()])
        if found is not None:
            branch = text[m.start() :].strip(" -–,()")
            return Valid(f"{found.name} – {branch}" if branch else found.name)
    return Valid(text)
