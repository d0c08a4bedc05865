"""Reasons for refusing an application, as the citizen reads them: one per condition of its policy.

A refusal must be in writing with its reasons (QĐ 23/2021/QĐ-TTg; policy-facts §5), and the citizen may
object to it: the reason names the condition not met, not just "không đủ". The conditions: household
businesses NQ 68 khoản 10 as amended by NQ 126 (policy-facts §5, §4), free workers khoản 12 with the
province's criteria (§6).
"""

from __future__ import annotations

import re

from handlers.forms import Choice
from handlers.validators import Invalid, Result, Valid, clean_text
from messages.i18n import N_, _
from messages.normalize import fold, words
from messages.vocabulary import ApplicationKind

# (button label, the reason the citizen reads): msgids.
_HOUSEHOLD = (
    (
        N_("Closed under 15 days"),
        N_("The business was closed for fewer than 15 consecutive days between 01/05/2021 and 31/12/2021."),
    ),
    (
        N_("Not closed by an authority's order"),
        N_("The business did not stop at the request of a competent authority for COVID-19 prevention."),
    ),
    (
        N_("Not a household business covered"),
        N_(
            "The household has no business and tax registration and is none of the groups added by "
            "Resolution 126/NQ-CP."
        ),
    ),
)
_FREE_WORKER = (
    (
        N_("Work not among the supported"),
        N_("The work is not among the occupations and jobs the province supports."),
    ),
    (
        N_("Not resident here"),
        N_("The applicant does not legally reside (permanent or temporary residence) in the locality."),
    ),
    (
        N_("Work not lost to COVID-19"),
        N_("The work and income were not lost because of COVID-19 between 01/05/2021 and 31/12/2021."),
    ),
)
_ANY = (
    (N_("Already supported"), N_("The applicant has already received this support.")),
    (N_("Details not confirmed"), N_("The details of the application do not match what the commune verified.")),
)
_BY_KIND: dict[str, tuple[tuple[str, str], ...]] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: _HOUSEHOLD,
    ApplicationKind.FREE_WORKER: _FREE_WORKER,
}
MIN_WORDS = 3  # "không đủ", "sai": no reason a citizen can act on


def rejection_reasons(kind: str) -> tuple[Choice, ...]:
    """The buttons of a refusal of an application of `kind`: the label shown, the reason kept (translated)."""
    return tuple(Choice(label, _(reason)) for label, reason in (*_BY_KIND.get(kind, ()), *_ANY))


# "thiếu giấy tờ", "chưa đủ hồ sơ", "cần bổ sung ảnh …": papers or details missing, which the citizen can add.
_MISSING = re.compile(
    r"\b(?:thieu|chua (?:du|co|nop|gui)|khong du|can (?:bo sung|bs)|bo sung)\b(?: \S+){0,3}? "
    r"(?:giay to|giay|ho so|thong tin|anh|ban sao|chung tu|tai lieu|van ban)\b"
)
# … unless the citizen was asked for them already and did not add them: then the refusal says so.
_ASKED_BEFORE = re.compile(r"\b(?:da (?:yeu cau|de nghi|nhac)|khong bo sung|qua han|het han)\b")


def typed_reason(text: str) -> Result[str]:
    """A reason typed instead of chosen: a sentence the citizen can act on, not a bare word, and not papers
    missing (those are asked for, and a refusal is for a condition not met)."""
    cleaned = clean_text(text, max_len=1000)
    if isinstance(cleaned, Valid) and _MISSING.search(key := fold(cleaned.value)) and not _ASKED_BEFORE.search(key):
        return Invalid(
            _(
                "Missing papers or details are asked for, not refused: choose “Ask for information” so the "
                "citizen can add them; a refusal is for a condition not met. If the citizen was asked and did not "
                "add them, say so in the reason."
            ),
            "reason_missing",
        )
    if isinstance(cleaned, Invalid) or len(words(cleaned.value, expand_teencode=False)) >= MIN_WORDS:
        return cleaned
    return Invalid(
        _(
            "Please state the reason in full, for example which condition is not met: the citizen reads it and "
            "may object to it. Or choose a reason below."
        ),
        "reason_short",
    )
