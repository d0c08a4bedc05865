"""Vietnamese text normalisation shared by matching, search and validation.

Citizens type with or without diacritics, in NFC or NFD, with old or new tone
placement and with chat abbreviations ("ko", "dc"). Display text is kept in NFC;
matching compares both sides folded to plain ASCII-ish lower case.
"""

from __future__ import annotations

import re
import unicodedata

# Common chat abbreviations (teencode) and their plain forms, on folded text.
TEENCODE: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hk": "khong",
    "hok": "khong",
    "hong": "khong",
    "khg": "khong",
    "kg": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "j": "gi",
    "bit": "biet",  # "ko bít": "không biết"
    "bik": "biet",
    "z": "",  # "vậy": the particle, dropped (see _PARTICLE)
    "v": "",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "bh": "bao gio",
    "mk": "minh",
    "mn": "moi nguoi",
    "ng": "nguoi",
    "vs": "voi",
    "ck": "chong",
    "vk": "vo",
    "tg": "thoi gian",
    "sdt": "so dien thoai",
    "hkd": "ho kinh doanh",
    "ldtd": "lao dong tu do",
    "nld": "nguoi lao dong",
    "hdld": "hop dong lao dong",
    "bhxh": "bao hiem xa hoi",
    "tk": "tai khoan",
    "stk": "so tai khoan",
    "ubnd": "uy ban nhan dan",
    "qd": "quyet dinh",
    "nq": "nghi quyet",
    "r": "roi",
    "oy": "roi",
    "uk": "u",
}

# Separators that are control characters (VT, FF, FS-US, NEL, LINE/PARAGRAPH SEPARATOR) stand between words:
# they become a space, where deleting them would glue "Văn\x85An" into "VănAn".
_CONTROL_SPACE = re.compile(r"[\x0b\x0c\x1c-\x1f\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")
_LINE_SPACES = re.compile(r"[^\S\n]+")
_WORD = re.compile(r"[a-z0-9]+")


# A folded Vietnamese syllable: onset, vowel nucleus, final consonant. A word of this shape is a word, even where
# a vocabulary lacks it ("luôn" is not "lương", "thiệt" not "tiết"); only what no syllable can be ("nguwng",
# "doah", "dongg") may be a typo to repair.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:oai|oay|oeo|uay|uoi|uou|uya|uye|uyu|ieu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|ua|ue|ui|uo|uu|uy|ya|ye"
    r"|[aeiouy])"
    r"(?:ng|nh|ch|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """Whether a folded word has the shape of one Vietnamese syllable."""
    return _SYLLABLE.fullmatch(word) is not None


def nfc(text: str, keep_lines: bool = False) -> str:
    """NFC-normalise, drop control and bidi characters, collapse white space
    (within each line only, when `keep_lines`: an announcement keeps its paragraphs)."""
    text = _CONTROL_SPACE.sub(" ", unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
    if not keep_lines:
        return _SPACES.sub(" ", _CONTROL.sub("", text)).strip()
    lines = [_LINE_SPACES.sub(" ", _CONTROL.sub("", line)).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def fold(text: str) -> str:
    """Lower case without diacritics: 'Hộ kinh doanh' -> 'ho kinh doanh'.

    Decomposition removes tone and vowel marks whatever the tone placement;
    đ/Đ do not decompose, so they are mapped by hand.
    """
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


# "vậy" (so, then), the particle that ends so many questions ("sao lâu vậy", "là sao z"), folds to "vay"
# (borrow), the word of the wage loans: it is dropped before folding, and typed without marks where it follows
# the words it ends ("sao lau vay"), never where it is the loan ("cho vay", "được vay không").
_PARTICLE = re.compile(r"(?<!\w)vậy(?!\w)", re.IGNORECASE)
_UNMARKED_PARTICLE = re.compile(r"\b(sao|gi|nao|lau|roi|the|day|do|nua|chua|qua|ha) vay\b(?! (?:von|tien|tra|ngan))")


def words(text: str, expand_teencode: bool = True) -> list[str]:
    """Folded word tokens, with chat abbreviations expanded and the particle "vậy" dropped."""
    folded = fold(_PARTICLE.sub(" ", nfc(text)))
    tokens = _WORD.findall(_UNMARKED_PARTICLE.sub(r"\1", folded))
    if not expand_teencode:
        return tokens
    out: list[str] = []
    for token in tokens:
        out.extend(TEENCODE.get(token, token).split())
    return out


def search_key(text: str) -> str:
    """A single folded, space-joined string for fuzzy comparison."""
    return " ".join(words(text))
