"""The verdict of a yes/no question the rules do not decide, read off the answer's own text.

'Không.' when the text negates what is asked ("không cần tài sản bảo đảm" for "phải thế chấp
không"), a percentage asked is under the text's threshold, or a date asked is after its deadline;
'Có.' when the text states what is asked (enough of the question's word pairs, and its last word, or
the date is in time); otherwise 'Có thể, nếu …'.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

from handlers.ask.eligibility_rules import deadline_passed
from handlers.ask.questions.facts import date_ranges, single_dates
from messages.i18n import _
from messages.normalize import fold, nfc, search_key

_LATE = re.compile(r"\b(kip|con (nop|nhan|duoc|dang ky)|tre han|qua han|het han|muon)\b")
DEADLINE_YEAR_FROM = 2022  # the filing deadlines are in 2022 (31/01/2022); windows end in 2021
# "không cần tài sản bảo đảm" negates "phải thế chấp không"; "không có hợp đồng" only describes.
# "không có khoản hỗ trợ tiền điện" says there is none of what is asked; "không có" alone describes.
_NEGATED = "(?:(?:khong|chua|chang) (?:can|phai|duoc|ap dung|bat buoc)|khong co (?:khoan|che do|chinh sach))"
_SYNONYMS = {"the chap": "tai san", "bao dam": "tai san", "mien": "0%", "mien phi": "0%", "ve que": "ve dia phuong"}
# How the answers' texts say a word a question ends on ("… nộp online được không").
# Folded as the text is (search_key: "0%" is "0").
_SAID_AS = {"online": ("online", "truc tuyen", "qua mang"), "mien": ("mien", "0")}
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?) ?%")
_THRESHOLD = re.compile(r"(\d+(?:[.,]\d+)?)% tro len")
# A list of who is left out, up to the end of its sentence ("trừ" is not "trụ sở", nor "thường trú", "tạm trú",
# "cư trú" folded; "không hỗ trợ đối tượng tự nguyện không tham gia").
_EXCLUDED = re.compile(
    r"\b(?:khong ap dung (?:cho|voi|doi voi)|khong bao gom|khong ho tro (?:doi tuong|cho)"
    r"|(?<!thuong )(?<!tam )(?<!cu )tru(?! so))\b([^.;\n]{1,200})"
)
# With the words that address the page ("… được không ad", "… không shop ơi"), which end many questions.
_STOP_TEXT = "co duoc khong a vay nhi phai dung thi la va cua cho toi em minh ban nguoi ho tro gi nao ad admin shop oi"
_STOP = frozenset(_STOP_TEXT.split(" "))


# The answer says that no text it has settles the question (search_key).
_UNCONFIRMED = re.compile(r"\bchua co (?:van ban|thong tin) (?:nao )?xac nhan\b")


def confirmation(question: str, body: str, today: date | None = None) -> str:
    """The verdict for a yes/no question the rules do not decide, read off the answer's own text.

    'Không.' when the text negates what is asked ('không cần tài sản bảo đảm') or a percentage asked
    is under the text's threshold; 'Có.' when the text states what is asked (its words or figures);
    otherwise 'Có thể, nếu …'. Asked whether it is too late, with no date of one's own, after the filing
    deadline (`today`): that it has passed.
    """
    q, b = search_key(question), search_key(body)
    # "nộp trực tuyến được không hay phải lên xã": the yes or no is of the first question; the other way is
    # what it would be instead ("không cần lên xã" in the text is no "Không." to it).
    q = q.split(" khong hay ", 1)[0]
    asked_dates = [*single_dates(question), *(r.start for r in date_ranges(question))]
    deadlines = [d for d in single_dates(body) if d.year >= DEADLINE_YEAR_FROM]
    if asked_dates and deadlines and _LATE.search(q):
        return _("No.") if min(asked_dates) > max(deadlines) else _("Yes.")
    passed = deadline_passed(today) if today is not None and not asked_dates and deadlines else None
    if passed is not None and _LATE.search(q):
        return passed  # "hết hạn chưa, giờ còn đăng ký được không"
    asked = [float(x.replace(",", ".")) for x in _PERCENT.findall(fold(nfc(question)))]
    floors = [float(x.replace(",", ".")) for x in _THRESHOLD.findall(fold(nfc(body)))]
    if asked and floors:
        return _("No.") if min(asked) < min(floors) else _("Yes.")
    words = [w for w in q.split() if w not in _STOP and len(w) > 1]
    pairs = [f"{a} {c}" for a, c in itertools.pairwise(words)]
    for pair in pairs + [_SYNONYMS[p] for p in pairs if p in _SYNONYMS]:
        if re.search(rf"\b{_NEGATED} (\w+ ){{0,2}}{re.escape(pair)}\b", b):
            return _("No.")
    # "Không áp dụng cho cơ quan Đảng, Nhà nước, …": the question names a group the text excludes, and the
    # text names that group nowhere else.
    clauses = [m.group(1) for m in _EXCLUDED.finditer(b)]
    for pair in pairs:
        inside = sum(clause.count(pair) for clause in clauses)
        if inside and b.count(pair) == inside:
            return _("No.")
    # Enough of the question is in the text, and the word it asks last, before its "không" ("… có bị thiệt không"):
    # the topic's words alone do not say the thing asked of it holds.
    last = words[-1] if words else ""
    stated = any(re.search(rf"\b{re.escape(said)}\b", b) for said in _SAID_AS.get(last, (last,)))
    if pairs and stated and sum(p in b for p in pairs) >= max(1, round(0.4 * len(pairs))):
        return _("Yes.")
    if _UNCONFIRMED.search(b):  # "HoTro chưa có văn bản xác nhận về …": no condition to meet, nothing known
        return _("There is no confirmed information on this yet.")
    return _("Maybe, if the conditions below are met.")
