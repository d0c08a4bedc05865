"""Public posting (niêm yết công khai, seed 002 III.5): the list a commune posts after each decision.

Services for the CLI (`hotro posting`), the chat and the web console: build the masked list of an area's
decisions, record the day it was posted. The chat part: officials see their area's decisions with the
posting deadline (5 days from the decision) and record a posting; monitors see the same and change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import actions, admin_units
from handlers.router import Router
from handlers.turn import Button, Menu, Turn
from messages import fmt
from messages.i18n import N_, _
from messages.normalize import fold, nfc
from messages.vocabulary import KIND_LABELS, ApplicationKind, AreaLevel
from storage import postings
from storage.crypto import DataProtector, DecryptionError
from storage.models import Application, AuditLog, DecisionPosting, Official
from storage.officials import covers, get_official, may_change, scope
from storage.postings import DecisionGroup

SHOWN_DIGITS_START, SHOWN_DIGITS_END = 4, 2  # at most the first 4 and the last 2 digits are shown
PREVIEW_ROWS = 15
DECISIONS_SHOWN = 10
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


def _address(application: Application) -> str | None:
    fields = application.fields or {}
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
                village_of(_address(application)),
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
    if official is not None and (not may_change(official) or not _covers_commune(official, commune_code)):
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


def _covers_commune(official: Official, commune_code: int) -> bool:
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


# ---- the chat -------------------------------------------------------------------------------
def actor(official: Official) -> str:
    return f"official:{official.id}"


async def _official(turn: Turn) -> Official | None:
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        turn.say(_("This function is only for registered officials."), [[Button(_("« Main menu"), "menu")]])
    return official


async def decisions_view(turn: Turn) -> None:
    """'pst': the area's decisions, newest first, each with its posting state."""
    official = await _official(turn)
    if official is None:
        return
    today = fmt.today_local(turn.now)
    groups = await postings.decisions(turn.session, scope(official), limit=DECISIONS_SHOWN)
    rows = []
    for group in groups:
        commune = admin_units.get(AreaLevel.COMMUNE, group.commune_code)
        flag = "⚠️ " if group.overdue(today) else ("✅ " if group.posted_on else "")
        label = f"{flag}{group.decision_number} – {commune.name if commune else group.commune_code}"
        rows.append([Button(label[:60], actions.POSTING_OPEN.pack(group.first_application_id))])
    rows.append([Button(_("« Officials' menu"), "of")])
    if not groups:
        turn.say(_("No decision with approved applications in your area yet."), rows)
        return
    turn.say(
        _(
            "Public posting: the commune posts each decision and its list at its office and in the villages "
            "within 5 days of the decision. Decisions in your area (newest first):"
        ),
        rows,
    )


async def _group_of(turn: Turn, official: Official, app_id: int) -> tuple[Application, DecisionGroup] | None:
    application = await turn.session.get(Application, app_id)
    if application is None or not covers(official, application) or not application.decision_number:
        turn.say(_("That decision does not exist or is outside your area."), [[Button(_("« Public posting"), "pst")]])
        return None
    groups = await postings.decisions(
        turn.session, Application.commune_code == application.commune_code, decision_number=application.decision_number
    )
    if not groups:
        turn.say(_("That decision does not exist or is outside your area."), [[Button(_("« Public posting"), "pst")]])
        return None
    return application, groups[0]


async def decision_view(turn: Turn) -> None:
    """'pst:o:<application id>': one decision's part for one commune, with the start of its masked list."""
    official = await _official(turn)
    parsed = actions.unpack(turn.action or "")
    if official is None or parsed is None:
        return
    found = await _group_of(turn, official, parsed[1][0])
    if found is None:
        return
    application, group = found
    today = fmt.today_local(turn.now)
    posting = await build(
        turn.session, turn.services.protector, group.commune_code, today=today, decision_number=group.decision_number
    )
    turn.session.add(
        AuditLog(actor=actor(official), action="view", detail=f"posting {group.commune_code} {group.decision_number}")
    )
    lines = [
        _("Decision No. {number} of {date}").format(
            number=group.decision_number, date=fmt.day(group.decision_date) if group.decision_date else "–"
        ),
        f"{posting.commune_name}, {posting.place}",
        _("People: {people}, amount: {amount}").format(people=len(posting.rows), amount=fmt.vnd(posting.total)),
        _("Posting: {state}").format(state=posting_state(group, today)),
        "",
    ]
    lines += [
        f"{row.number}. {row.name} – {row.masked_id} – {row.village or '–'} – {fmt.vnd(row.amount or 0)}"
        for row in posting.rows[:PREVIEW_ROWS]
    ]
    if len(posting.rows) > PREVIEW_ROWS:
        lines.append(_("… and {n} more (the whole list: `hotro posting`).").format(n=len(posting.rows) - PREVIEW_ROWS))
    rows = []
    if may_change(official):
        label = _("Record: posted today") if group.posted_on is None else _("Correct the posting date to today")
        rows.append([Button(label, actions.POSTING_RECORD.pack(application.id))])
    rows.append([Button(_("« Public posting"), "pst")])
    turn.say("\n".join(lines), rows)


async def record_view(turn: Turn) -> None:
    """'pst:r:<id>' asks to confirm; 'pst:y:<id>' records today as the posting day."""
    official = await _official(turn)
    parsed = actions.unpack(turn.action or "")
    if official is None or parsed is None:
        return
    if not may_change(official):
        turn.say(
            _("As a monitor you can view the lists but not change anything."), [[Button(_("« Public posting"), "pst")]]
        )
        return
    found = await _group_of(turn, official, parsed[1][0])
    if found is None:
        return
    application, group = found
    today = fmt.today_local(turn.now)
    if parsed[0] is actions.POSTING_RECORD:
        turn.say(
            _("Record that decision {number} and its list were posted at {commune} today, {date}?").format(
                number=group.decision_number,
                commune=_commune_name(group.commune_code),
                date=fmt.day(today),
            ),
            [
                [Button(_("✅ Confirm"), actions.POSTING_RECORD_YES.pack(application.id))],
                [Button(_("Cancel"), actions.POSTING_OPEN.pack(application.id))],
            ],
        )
        return
    await record_posting(
        turn.session,
        commune_code=group.commune_code,
        decision_number=group.decision_number,
        posted_on=today,
        actor=actor(official),
        now=turn.now,
        official=official,
    )
    turn.say(
        _("Recorded: decision {number} posted at {commune} on {date}.").format(
            number=group.decision_number, commune=_commune_name(group.commune_code), date=fmt.day(today)
        ),
        [[Button(_("« Public posting"), "pst")], [Button(_("« Officials' menu"), "of")]],
    )


def _commune_name(code: int) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, code)
    return unit.full_name if unit else str(code)


async def _route(turn: Turn) -> None:
    verb = turn.action or ""
    if verb.startswith(("pst:r:", "pst:y:")):
        await record_view(turn)
    elif verb.startswith("pst:o:"):
        await decision_view(turn)
    else:
        await decisions_view(turn)


router = Router()  # this feature's actions and menu entry (handlers/routes.py includes it)
router.menu_entry(N_("📋 Public posting"), "pst", menu=Menu.OFFICIALS)
router.action("pst")(_route)
