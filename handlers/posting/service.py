"""Public posting (niêm yết công khai, seed 002 III.5): the list a commune posts after each decision.

Services for the CLI (`hotro posting`), the chat and the web console: build the masked list of an area's
decisions, record the day it was posted (handlers.posting.files writes the list as PDF, HTML or XLSX).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import admin_units
from messages import fmt
from messages.i18n import _
from messages.normalize import fold, nfc
from messages.vocabulary import KIND_LABELS, ApplicationKind, AreaLevel
from storage import actors, postings
from storage.applications import fields_of
from storage.crypto import DataProtector, DecryptionError
from storage.models import Application, DecisionPosting, Official
from storage.officials import covers, may_change
from storage.postings import DecisionGroup

SHOWN_DIGITS_START, SHOWN_DIGITS_END = 4, 2  # at most the first 4 and the last 2 digits are shown
# Thôn, xóm, bản, ấp, làng, buôn, khu (phố), tổ dân phố, khối: the units below a commune. A bare "tổ" only
# with its number ("Tổ 5"): "Tô" is also a family name, as in a street "đường Tô Hiệu".
_VILLAGE = re.compile(r"\b(?:(?:thon|xom|ban|ap|lang|buon|khu pho|khu|to dan pho|khoi)\s+\S|to\s+\d)", re.IGNORECASE)


class NotAllowed(PermissionError):
    """The official may not do this: a monitor, or an area not theirs."""


@dataclass(frozen=True)
class PostingRow:
    number: int
    name: str
    masked_id: str
    village: str
    kind: str
    amount: int | None
    decision_number: str


@dataclass
class PostingList:
    commune_code: int
    commune_name: str
    place: str  # "Huyện Hữu Lũng, Tỉnh Lạng Sơn"
    made_on: date
    decisions: list[DecisionGroup] = field(default_factory=list)
    rows: list[PostingRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(row.amount or 0 for row in self.rows)


def mask_id(number: str) -> str:
    """ "001085012345" -> "0010******45": at most the first 4 and the last 2 digits; short numbers show fewer."""
    digits = "".join(ch for ch in number if ch.isdigit())
    start = SHOWN_DIGITS_START if len(digits) >= 12 else min(2, max(len(digits) - 4, 0))
    end = SHOWN_DIGITS_END if len(digits) > start + SHOWN_DIGITS_END + 2 else 0
    return digits[:start] + "*" * (len(digits) - start - end) + (digits[-end:] if end else "")


def village_of(address: str | None) -> str:
    """The thôn/xóm of a free-text address ("Số nhà 12, thôn Đồng Lâm" -> "Thôn Đồng Lâm"), else ""."""
    if not address:
        return ""
    parts = [part.strip() for part in re.split(r"[,;]", nfc(address)) if part.strip()]
    for part in parts:
        folded = fold(part)
        match = _VILLAGE.search(folded)
        if match is not None and len(folded) == len(part):  # fold keeps the length: cut the original there
            village = part[match.start() :].strip()
            return village[:1].upper() + village[1:]
    return ""


def _address(application: Application, protector: DataProtector) -> str | None:
    fields = fields_of(application, protector)
    for key in ("address", "current_address", "home_address"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _kind_label(application: Application) -> str:
    return _(KIND_LABELS.get(application.kind, KIND_LABELS[ApplicationKind.HOUSEHOLD_BUSINESS]))


def _masked(application: Application, protector: DataProtector) -> str:
    try:
        return mask_id(protector.decrypt(application.id_number_enc, context="id_number"))
    except DecryptionError:
        return "************"


async def build(
    session: AsyncSession,
    protector: DataProtector,
    commune_code: int,
    *,
    today: date,
    decision_number: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    posted_only: bool = False,
) -> PostingList:
    """The commune's posting list for the decisions chosen (default: all its decisions)."""
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    if commune is None:
        raise ValueError(commune_code)
    district = admin_units.get(AreaLevel.DISTRICT, commune.parent_code) if commune.parent_code else None
    posting = PostingList(
        commune_code,
        commune.name,
        district.full_name if district else "",
        today,
    )
    groups = await postings.decisions(
        session,
        Application.commune_code == commune_code,
        decision_number=decision_number,
        date_from=date_from,
        date_to=date_to,
    )
    if posted_only:
        groups = [group for group in groups if group.posted_on is not None]
    posting.decisions = sorted(groups, key=lambda g: (g.decision_date or date.min, g.decision_number))
    found = await postings.applications(session, commune_code, [g.decision_number for g in posting.decisions])
    for number, application in enumerate(found, start=1):
        posting.rows.append(
            PostingRow(
                number,
                application.full_name,
                _masked(application, protector),
                village_of(_address(application, protector)),
                _kind_label(application),
                application.approved_amount,
                application.decision_number or "",
            )
        )
    return posting


async def record_posting(
    session: AsyncSession,
    *,
    commune_code: int,
    decision_number: str,
    posted_on: date,
    actor: str,
    now: datetime,
    official: Official | None = None,
) -> DecisionPosting:
    """Record the day a decision's list was posted at the commune (official None: the CLI's operator)."""
    if official is not None and (not may_change(official) or not covers_commune(official, commune_code)):
        raise NotAllowed(actor)
    groups = await postings.decisions(
        session, Application.commune_code == commune_code, decision_number=decision_number
    )
    if not groups:
        raise LookupError(decision_number)
    return await postings.record(
        session,
        commune_code=commune_code,
        decision_number=decision_number,
        decision_date=groups[0].decision_date,
        posted_on=posted_on,
        actor=actor,
        now=now,
    )


def covers_commune(official: Official, commune_code: int) -> bool:
    """Whether the commune lies in the official's (or monitor's, at their level) area."""
    commune = admin_units.get(AreaLevel.COMMUNE, commune_code)
    district = admin_units.get(AreaLevel.DISTRICT, commune.parent_code) if commune and commune.parent_code else None
    if commune is None or district is None or district.parent_code is None:
        return False
    probe = Application(commune_code=commune_code, district_code=district.code, province_code=district.parent_code)
    return covers(official, probe)


def posting_state(group: DecisionGroup, today: date) -> str:
    if group.posted_on is not None:
        return _("posted on {date}").format(date=fmt.day(group.posted_on))
    due = group.due
    text = _("not posted yet, due {date}").format(date=fmt.day(due) if due else "–")
    return ("⚠️ " + text) if group.overdue(today) else text


def actor(official: Official) -> str:
    return actors.official(official.id)
