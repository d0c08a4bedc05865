"""'đã nhận hỗ trợ ngừng việc rồi có được nhận thêm hỗ trợ F0 không': may one support be received on top of
another one? NQ 68's principles answer it (policy-facts §1): each policy once; of a worker's one-time cash
supports only one; the children's and the F0/F1 supports are added on top of any other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from handlers.ask import policy_search
from handlers.ask.eligibility_rules import ONE_TIME_REGIMES, PolicyId, policy_title
from handlers.ask.questions.facts import extract, folded
from messages.i18n import _

# "(đã) nhận <one support> rồi (thì) còn được nhận <another> không"; "rồi" says it was received, "đã" or not.
# Folded, "hưởng" and "hướng" ("hướng dẫn viên") are one word: not before "dẫn".
_RECEIVED_THEN = re.compile(
    r"\b(?:(?:da|vua) )?(?:duoc )?(?:nhan|huong(?! dan)|lanh|linh)\b(?P<had>.{3,80}?)\b(?:roi|xong)\b"
    r"(?P<asked>.*\b(?:nhan|huong|lanh|linh|duoc)\b.*)"
)
# The supplements of points 7 and 8 (Mục II), added on top of another support.
_SUPPLEMENTS = frozenset({PolicyId.F0_F1, PolicyId.CHILDREN})
# A part of the message names a policy when today's matcher is this sure of it, and this far ahead.
_NAMED = 0.6
_AHEAD = 0.1


@dataclass(frozen=True)
class Combination:
    had: PolicyId | None  # the support already received, when the message names it
    asked: PolicyId | None  # the one asked about


def _named(part: str) -> PolicyId | None:
    matches = policy_search.search(part, limit=2)
    if not matches or matches[0].score < _NAMED:
        return None
    if len(matches) > 1 and matches[0].score - matches[1].score < _AHEAD:
        return None
    return PolicyId(matches[0].policy_id)


# "vừa là lao động tự do vừa bị F0 thì nhận được cả 2 không": two situations at once, both supports asked.
_AT_ONCE = re.compile(r"\bvua\b(?P<had>.{3,60}?)\bvua\b(?P<asked>.{3,60}?)(?=\bthi\b|\bco\b|\bduoc\b|,|$)")
_BOTH = re.compile(r"\bca (?:2|hai)\b|\bcung luc\b|\bdong thoi\b|\b(?:2|hai) (?:khoan|che do|loai)\b")


# "nhận nhiều khoản hỗ trợ cùng lúc", "hưởng 2 chính sách một lúc": several supports for one person, none named.
_SEVERAL = re.compile(
    r"\b(?:nhan|huong|lanh|duoc)\b.{0,20}\b(?:nhieu|(?:2|hai|ba|3|cac)) (?:khoan|chinh sach|che do|goi|loai)"
    r"(?: ho tro)?\b"
)


def several_at_once(text: str) -> bool:
    """Whether one person may get several supports, asked without naming them ('asked' handles two named)."""
    return _SEVERAL.search(folded(text)) is not None and asked(text) is None


def _situation(part: str) -> PolicyId | None:
    """The policy a situation names: "bị F0" is too short for the matcher, not for the facts."""
    return PolicyId.F0_F1 if extract(part).covid is not None else _named(part)


_UNEMPLOYMENT_BENEFIT = re.compile(r"\b(?:bao hiem|tro cap|bh) that nghiep\b|\bbhtn\b")
_AGAIN = re.compile(r"\b(?:lan (?:2|hai|nua)|them lan|dot (?:2|hai))\b|\b(?:nhan|huong|lanh|linh) them\b")


def asked(text: str) -> Combination | None:
    """The two supports of a 'received one, may I get the other' question; None for any other message
    ("đã nộp hồ sơ rồi mà chưa được duyệt" names no support)."""
    key = folded(text)
    if _BOTH.search(key) and (both := _AT_ONCE.search(key)) is not None:
        first, second = _situation(both.group("had")), _situation(both.group("asked"))
        if first is not None and second is not None:
            # Asked of both at once, a supplement is the one added on top of the other.
            return Combination(second, first) if first in _SUPPLEMENTS else Combination(first, second)
    m = _RECEIVED_THEN.search(key)
    if m is None:
        return None
    if _UNEMPLOYMENT_BENEFIT.search(m.group("had")):
        return None  # the unemployment benefit is no support of NQ 68: the termination support's condition
    # "… rồi, giờ bị F0 có được nhận thêm không": the situation names the support asked for.
    had, wanted = _named(m.group("had")), _situation(m.group("asked"))
    if wanted is None and _AGAIN.search(m.group("asked")):
        wanted = had  # "đã nhận 3 triệu hộ kinh doanh rồi, có được nhận lần 2 không"
    if had is None and wanted is None:
        return None
    return Combination(had, wanted)


def verdict(combination: Combination) -> str | None:
    """The yes/no the principles give for the two supports, or None when the message does not name both."""
    had, wanted = combination.had, combination.asked
    if had is None or wanted is None:
        return None
    if had == wanted:
        return _("No.") + " " + _("Each person receives each support only once (NQ 68/NQ-CP).")
    if wanted in _SUPPLEMENTS:
        return (
            _("Yes.")
            + " "
            + _("{asked} is added on top of another support, if its own conditions are met.").format(
                asked=policy_title(wanted)
            )
        )
    if had in ONE_TIME_REGIMES and wanted in ONE_TIME_REGIMES:
        return (
            _("No.")
            + " "
            + _(
                "A worker who received one one-time cash support ({had}) receives no other one: {asked} is not "
                "paid on top of it."
            ).format(had=policy_title(had), asked=policy_title(wanted))
        )
    return (
        _("Maybe, if the conditions below are met.")
        + " "
        + _(
            "{asked} is decided on its own conditions; ask the office that receives the dossier whether it is "
            "paid on top of {had}."
        ).format(had=policy_title(had), asked=policy_title(wanted))
    )
