"""The officials' public-posting screens: their area's decisions with the posting deadline (5 days from the
decision), one decision's masked list, and recording the day it was posted; monitors see the same and change
nothing."""

from __future__ import annotations

from handlers import actions, admin_units
from handlers.posting import service
from handlers.router import Router
from handlers.turn import Button, Menu, Turn
from messages import fmt
from messages.i18n import N_, _
from messages.vocabulary import AreaLevel
from storage import postings
from storage.models import Application, Official
from storage.officials import covers, get_official, may_change, scope
from storage.postings import DecisionGroup

PREVIEW_ROWS = 15
DECISIONS_SHOWN = 10


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
    posting = await service.build(
        turn.session, turn.services.protector, group.commune_code, today=today, decision_number=group.decision_number
    )
    postings.audit_view(turn.session, service.actor(official), group.commune_code, group.decision_number, turn.now)
    lines = [
        _("Decision No. {number} of {date}").format(
            number=group.decision_number, date=fmt.day(group.decision_date) if group.decision_date else "–"
        ),
        f"{posting.commune_name}, {posting.place}",
        _("People: {people}, amount: {amount}").format(people=len(posting.rows), amount=fmt.vnd(posting.total)),
        _("Posting: {state}").format(state=service.posting_state(group, today)),
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
    await service.record_posting(
        turn.session,
        commune_code=group.commune_code,
        decision_number=group.decision_number,
        posted_on=today,
        actor=service.actor(official),
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
