"""Officials' announcements in the chat (/thongbao) and citizens' opt-out (/tatthongbao, /batthongbao).

An official chooses who receives the announcement (always within their own area), types it, sees a
preview with the number of recipients and confirms. Confirming expands the recipients in the turn's
transaction (storage.broadcasts.queue); bot/broadcaster.py sends them at the platform's rate.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import admin_units, forms
from handlers.forms import Answers, Choice, Field, Form
from handlers.menu import show_menu
from handlers.router import Router
from handlers.turn import Button, Turn
from handlers.validators import Invalid, Result, Valid
from messages import fmt, vocabulary
from messages.i18n import N_, _, ngettext
from messages.vocabulary import KIND_LABELS, ApplicationKind, AreaLevel, BroadcastStatus, ChatUserStatus, Role
from storage import broadcasts as store
from storage.broadcasts import Audience, AudienceError, Progress
from storage.models import Broadcast, Official
from storage.officials import get_official

MAX_TEXT = 3500  # leaves room for the header, the opt-out footer and the preview under Telegram's 4096
RECENT = 5
LEVEL_BELOW: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE),
    Role.PROVINCE: (AreaLevel.DISTRICT, AreaLevel.COMMUNE),
    Role.DISTRICT: (AreaLevel.COMMUNE,),
    Role.COMMUNE: (),
}
STATUS_LABELS: dict[str, str] = {
    BroadcastStatus.DRAFT: N_("Draft, not sent"),
    BroadcastStatus.QUEUED: N_("Waiting to be sent"),
    BroadcastStatus.SENDING: N_("Being sent"),
    BroadcastStatus.DONE: N_("Sending finished"),
    BroadcastStatus.CANCELLED: N_("Stopped by the official"),
}
KIND_AUDIENCE: dict[str, str] = {
    ApplicationKind.HOUSEHOLD_BUSINESS: N_("household business applicants"),
    ApplicationKind.FREE_WORKER: N_("free worker applicants"),
}


# ---- audiences --------------------------------------------------------------------------------
def within_area(role: str, area_code: int | None, level: str, code: int) -> bool:
    """Is this unit the area of a `role` official of `area_code`, or inside it?"""
    unit = admin_units.get(level, code) if level in store.LEVELS else None
    if unit is None:
        return False
    if role == Role.ADMIN:
        return True
    while unit is not None:
        if unit.level == role and unit.code == area_code:
            return True
        parent = {AreaLevel.COMMUNE: AreaLevel.DISTRICT, AreaLevel.DISTRICT: AreaLevel.PROVINCE}.get(unit.level)
        unit = admin_units.get(parent, unit.parent_code) if parent and unit.parent_code else None
    return False


def within(official: Official, level: str, code: int) -> bool:
    return within_area(official.role, official.area_code, level, code)


def check(official: Official, audience: Audience) -> None:
    """Raise AudienceError unless this official may address this audience."""
    if audience.type == "all" and not store.may_address_everyone(official):
        raise AudienceError("all_not_allowed")
    if audience.type == "area" and not within(official, audience.level or "", audience.code or 0):
        raise AudienceError("outside_area")
    if audience.type == "status" and audience.status not in vocabulary.STATUS_LABELS:
        raise AudienceError("malformed")
    if audience.type == "kind" and audience.kind not in store.KINDS:
        raise AudienceError("malformed")


def audience_error(error: AudienceError) -> str:
    if error.code == "malformed":
        return _(
            "“{audience}” is not a valid audience. Use one of: all | area:<province|district|commune>:<GSO code> | "
            "kind:household_business | kind:free_worker | status:<{statuses}>."
        ).format(audience=str(error), statuses="|".join(vocabulary.STATUSES))
    return {
        "all_not_allowed": _("Only province officials and administrators can address everyone."),
        "outside_area": _("That area is outside your own area; you can only address people in your area."),
    }.get(error.code, _("That audience is not valid."))


async def unreachable_note(session: AsyncSession, official: Official, audience: Audience) -> str | None:
    """Why some applicants the audience matches get nothing: they use the console, which only prints
    while its user is at the terminal."""
    count = await store.count_recipients(session, official, audience, unreachable=True)
    if not count:
        return None
    return _(
        "{n} matching people use the console (hotro chat), which cannot receive announcements: it only shows "
        "messages while its user is chatting."
    ).format(n=fmt.number(count))


def _place(level: str, code: int | None) -> str:
    unit = admin_units.get(level, code) if level in store.LEVELS and code is not None else None
    return unit.full_name if unit else str(code)


def official_area(official: Official) -> str | None:
    if official.role == Role.ADMIN or official.area_code is None:
        return None
    return _place(official.role, official.area_code)


def describe(audience: Audience, official: Official | None = None) -> str:
    """Who receives it, in words: "người nộp hồ sơ tại Xã Nhật Tiến, …"."""
    if audience.type == "all":
        return _("everyone who receives announcements")
    if audience.type == "area":
        return _("applicants in {place}").format(place=_place(audience.level or "", audience.code))
    if audience.type == "kind":
        who = _(KIND_AUDIENCE.get(audience.kind or "", audience.kind or ""))
    else:
        status = vocabulary.STATUS_LABELS.get(audience.status or "")
        who = _("applicants whose application is “{status}”").format(status=_(status) if status else audience.status)
    area = official_area(official) if official is not None else None
    return _("{who}, in {place}").format(who=who, place=area) if area else who


def render_message(text: str, official: Official) -> str:
    """What every recipient reads: who it is from, the text, and how to opt out."""
    sender = official_area(official) or "HoTro"
    return "\n\n".join(
        [
            _("📢 Announcement from {sender}").format(sender=sender),
            text,
            "—\n" + _("To stop receiving announcements, send /tatthongbao. To receive them again, send /batthongbao."),
        ]
    )


def final_report(broadcast: Broadcast) -> str:
    """The official's report when their announcement has been sent to everyone it could reach."""
    return "\n".join(
        [
            _("📢 Announcement #{id} has been sent.").format(id=broadcast.id),
            _("Recipients: {n}").format(n=fmt.number(broadcast.total)),
            _("Delivered: {n}").format(n=fmt.number(broadcast.sent_count)),
            _("Failed: {n}").format(n=fmt.number(broadcast.failed_count)),
            _("Blocked the bot: {n}").format(n=fmt.number(broadcast.blocked_count)),
        ]
    )


# ---- the compose form -------------------------------------------------------------------------
def _targets(turn: Turn) -> tuple[Choice, ...]:
    role = turn.data.get("role", Role.COMMUNE)
    choices = []
    if role in (Role.ADMIN, Role.PROVINCE):
        choices.append(Choice(N_("Everyone who receives announcements"), "all"))
    if role != Role.ADMIN:
        choices.append(Choice(N_("Applicants in my whole area"), "mine"))
    if LEVEL_BELOW[role]:
        choices.append(Choice(N_("Applicants in one district or commune"), "area"))
    choices.append(Choice(N_("Applicants of one kind"), "kind"))
    choices.append(Choice(N_("Applicants with one status"), "status"))
    return tuple(choices)


def _sub_units(turn: Turn) -> tuple[Choice, ...]:
    """The units right below the official's area, as buttons (anything deeper can be typed)."""
    role, area = turn.data.get("role"), turn.data.get("area")
    if role == Role.PROVINCE and area:
        return tuple(Choice(u.name, f"district:{u.code}") for u in admin_units.districts(area))
    if role == Role.DISTRICT and area:
        return tuple(Choice(u.name, f"commune:{u.code}") for u in admin_units.communes(area))
    return ()


def _parse_unit(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    """A typed district or commune name (or GSO code), searched only inside the official's area."""
    role, area = turn.data.get("role", Role.COMMUNE), turn.data.get("area")
    typed = text.strip()
    for level in LEVEL_BELOW.get(role, ()):
        if typed.isdigit():
            units = [u for u in [admin_units.get(level, int(typed))] if u is not None]
        else:
            units = admin_units.search(level, typed, limit=20)  # type: ignore[arg-type]
        inside = [u for u in units if within_area(role, area, level, u.code)]
        if inside:
            return Valid(f"{level}:{inside[0].code}")
    return Invalid(
        _("I could not find “{text}” in your area. Type the name of a district or commune, or choose below.").format(
            text=typed[:60]
        ),
        "unit",
    )


def _show_unit(value: str, _answers: Answers) -> str:
    level, code = value.split(":")
    return _place(level, int(code))


_NEWLINES = re.compile(r"\n{3,}")
_HSPACE = re.compile(r"[^\S\n]+")


def clean_announcement(text: str) -> Result[str]:
    """The announcement as typed: NFC, without control characters; line breaks are kept."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    text = _NEWLINES.sub("\n\n", "\n".join(_HSPACE.sub(" ", line).strip() for line in text.split("\n"))).strip()
    if not any(unicodedata.category(ch)[0] in "LN" for ch in text):
        return Invalid(_("You have not typed anything. Please type your answer."), "empty")
    if len(text) > MAX_TEXT:
        return Invalid(
            _(
                "The announcement is too long ({length} characters). Please shorten it to at most {max} characters."
            ).format(length=fmt.number(len(text)), max=fmt.number(MAX_TEXT)),
            "too_long",
        )
    return Valid(text)


def _parse_text(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return clean_announcement(text)


FIELDS = [
    Field("target", N_("Recipients"), N_("Who should receive the announcement?"), choices=_targets),
    Field(
        "unit",
        N_("District or commune"),
        N_("Which district or commune? Choose below, or type its name."),
        parse=_parse_unit,
        choices=_sub_units,
        when=lambda a: a.get("target") == "area",
        show=_show_unit,
    ),
    Field(
        "kind",
        N_("Kind of application"),
        N_("Applicants of which kind?"),
        choices=tuple(Choice(label, kind) for kind, label in KIND_LABELS.items()),
        when=lambda a: a.get("target") == "kind",
    ),
    Field(
        "status",
        N_("Application status"),
        N_("Applicants whose application has which status?"),
        choices=tuple(Choice(label, status) for status, label in vocabulary.STATUS_LABELS.items()),
        when=lambda a: a.get("target") == "status",
    ),
    Field(
        "text",
        N_("Announcement"),
        N_("Type the announcement (at most 3,500 characters). It will be shown to you before it is sent."),
        parse=_parse_text,
    ),
]


def audience_from(answers: Answers, official: Official) -> Audience:
    target = answers.get("target")
    if target == "mine" and official.role in store.LEVELS:
        return Audience("area", level=official.role, code=official.area_code)
    if target == "area" and answers.get("unit"):
        level, code = str(answers["unit"]).split(":")
        return Audience("area", level=level, code=int(code))
    if target == "kind":
        return Audience("kind", kind=answers.get("kind"))
    if target == "status":
        return Audience("status", status=answers.get("status"))
    if target == "all":
        return Audience("all")
    raise AudienceError("malformed", str(target))


async def _official(turn: Turn) -> Official | None:
    official = await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id)
    if official is None:
        await show_menu(turn, _("This function is only for registered officials."))
    return official


async def preview(turn: Turn, answers: Answers) -> None:
    """The form is complete: count the recipients, keep a draft and show exactly what will be sent."""
    official = await _official(turn)
    if official is None:
        return
    try:
        audience = audience_from(answers, official)
        check(official, audience)
    except AudienceError as error:
        await start(turn, official, intro=audience_error(error))
        return
    count = await store.count_recipients(turn.session, official, audience)
    if count == 0:
        turn.goto("menu", {})
        note = await unreachable_note(turn.session, official, audience)
        turn.say(
            _("No one who receives announcements matches “{audience}”. Nothing was sent.").format(
                audience=describe(audience, official)
            )
            + (f"\n{note}" if note else ""),
            [[Button(_("Choose other recipients"), "bc:new")], [Button(_("« Main menu"), "menu")]],
        )
        return
    draft = await store.create(turn.session, official, audience, answers["text"], turn.now)
    turn.goto("bc.preview", {**turn.data, "draft": draft.id})  # not vocabulary: a conversation data key
    rate = _rate(turn)
    turn.say(
        "\n".join(
            [
                _("Preview – recipients will read:"),
                "",
                render_message(answers["text"], official),
                "",
                "———",
                _("Recipients: {n} ({audience}).").format(n=fmt.number(count), audience=describe(audience, official)),
                _duration(count, rate),
                _("Send it now?"),
            ]
        ),
        [
            [Button(_("✅ Send to {n} people").format(n=fmt.number(count)), f"bc:ok:{draft.id}")],
            [Button(_("✏️ Change the text"), "bc:ed")],
            [Button(_("Cancel"), "cancel")],
        ],
    )


def _rate(turn: Turn) -> float:
    return float(getattr(turn.settings, "broadcast_rate_per_second", 25.0))


def _duration(count: int, rate: float) -> str:
    minutes = max(1, math.ceil(count / max(rate, 0.1) / 60))
    return ngettext("It takes about {n} minute to send.", "It takes about {n} minutes to send.", minutes).format(
        n=fmt.number(minutes)
    )


FORM = Form(FIELDS, preview, review=False)


async def start(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto("bc.compose", {"role": official.role, "area": official.area_code, "answers": {}, "history": []})
    if intro:
        turn.say(intro)
    await forms.ask(turn, FORM)


async def compose_state(turn: Turn) -> None:
    if await _official(turn) is None:
        return
    if turn.state == "bc.preview":
        turn.say(
            _("Please use the buttons: send the announcement, change its text, or cancel."),
            [
                [Button(_("✅ Send"), f"bc:ok:{turn.data.get('draft', 0)}")],  # not vocabulary: a conversation data key
                [Button(_("✏️ Change the text"), "bc:ed")],
                [Button(_("Cancel"), "cancel")],
            ],
        )
        return
    await forms.handle(turn, FORM)


async def compose_ask(turn: Turn) -> None:
    if (
        turn.state == "bc.preview"
        or await get_official(turn.session, turn.incoming.channel, turn.incoming.user_id) is None
    ):
        await show_menu(turn)
        return
    await forms.ask(turn, FORM)


# ---- confirm, list, cancel ----------------------------------------------------------------------
async def home(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto("menu", {})
    text = _("📢 Announcements to citizens. Create a new one, or follow the ones already sent.")
    turn.say(
        f"{intro}\n\n{text}" if intro else text,
        [
            [Button(_("➕ New announcement"), "bc:new")],
            [Button(_("📋 Recent announcements"), "bc:l")],
            [Button(_("« Main menu"), "menu")],
        ],
    )


async def _mine(turn: Turn, official: Official, broadcast_id: str) -> Broadcast | None:
    broadcast = await turn.session.get(Broadcast, int(broadcast_id)) if broadcast_id.isdigit() else None
    if broadcast is None or (official.role != Role.ADMIN and broadcast.official_id != official.id):
        await home(turn, official, _("That announcement does not exist or is not yours."))
        return None
    return broadcast


async def confirm(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    if broadcast.status != BroadcastStatus.DRAFT:
        await recent(turn, official, _("Announcement #{id} has already been confirmed.").format(id=broadcast.id))
        return
    creator = await turn.session.get(Official, broadcast.official_id)
    if creator is None or creator.id != official.id:
        await home(turn, official, _("That announcement does not exist or is not yours."))
        return
    try:
        check(official, Audience.from_json(broadcast.audience))  # the official's area may have changed since
    except AudienceError as error:
        await home(turn, official, audience_error(error))
        return
    total = await store.queue(turn.session, broadcast, official, render_message(broadcast.text, official), turn.now)
    turn.goto("menu", {})
    if total <= 0:
        if total == 0:
            await store.cancel(turn.session, broadcast.id, turn.now)
        await home(turn, official, _("No one is left to receive this announcement. Nothing was sent."))
        return
    turn.say(
        _("Announcement #{id} is queued for {n} recipients. You will get a report when it has been sent.").format(
            id=broadcast.id, n=fmt.number(total)
        )
        + "\n"
        + _duration(total, _rate(turn)),
        [[Button(_("📋 Recent announcements"), "bc:l")], [Button(_("« Main menu"), "menu")]],
    )


def _progress_line(counts: Progress, total: int) -> str:
    parts = [
        _("sent {n}").format(n=fmt.number(counts.sent)),
        _("failed {n}").format(n=fmt.number(counts.failed)),
        _("blocked {n}").format(n=fmt.number(counts.blocked)),
        _("remaining {n}").format(n=fmt.number(counts.remaining)),
    ]
    if counts.cancelled:
        parts.append(_("stopped before sending {n}").format(n=fmt.number(counts.cancelled)))
    return " · ".join(parts) + " " + _("(of {total})").format(total=fmt.number(total))


def _excerpt(text: str, width: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


async def describe_recent(session: AsyncSession, items: list[Broadcast]) -> list[str]:
    """One paragraph per broadcast with its live progress (shared with `hotro broadcast --status`)."""
    counts = await store.progress(session, [b.id for b in items])
    officials = {b.official_id: await session.get(Official, b.official_id) for b in items}
    out = []
    for b in items:
        official = officials[b.official_id]
        out.append(
            "\n".join(
                [
                    f"#{b.id} · {fmt.moment(b.queued_at or b.created_at)} · {_(STATUS_LABELS.get(b.status, b.status))}",
                    _("To: {audience}").format(audience=describe(Audience.from_json(b.audience), official)),
                    f"“{_excerpt(b.text)}”",
                    _progress_line(counts[b.id], b.total or counts[b.id].total),
                ]
            )
        )
    return out


async def recent(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto("menu", {})
    items = await store.recent(turn.session, official, RECENT)
    if not items:
        await home(turn, official, intro or _("You have not sent any announcement yet."))
        return
    paragraphs = await describe_recent(turn.session, items)
    text = "\n\n".join([_("Your recent announcements:"), *paragraphs])
    rows = [[Button(_("🛑 Stop #{id}").format(id=b.id), f"bc:c:{b.id}")] for b in items if b.status in store.ACTIVE]
    rows.append([Button(_("🔄 Refresh"), "bc:l"), Button(_("➕ New announcement"), "bc:new")])
    rows.append([Button(_("« Main menu"), "menu")])
    turn.say(f"{intro}\n\n{text}" if intro else text, rows)


async def ask_cancel(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    if broadcast.status not in store.ACTIVE:
        await recent(turn, official, _("Announcement #{id} is no longer being sent.").format(id=broadcast.id))
        return
    counts = (await store.progress(turn.session, [broadcast.id]))[broadcast.id]
    turn.say(
        _("Stop announcement #{id}? The {n} messages not yet sent will not be sent.").format(
            id=broadcast.id, n=fmt.number(counts.remaining)
        ),
        [[Button(_("🛑 Yes, stop it"), f"bc:cy:{broadcast.id}")], [Button(_("« Back"), "bc:l")]],
    )


async def do_cancel(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    if not await store.cancel(turn.session, broadcast.id, turn.now):
        await recent(turn, official, _("Announcement #{id} is no longer being sent.").format(id=broadcast.id))
        return
    await recent(turn, official, _("Announcement #{id} has been stopped.").format(id=broadcast.id))


async def on_action(turn: Turn) -> None:
    """'bc' home, 'bc:new' compose, 'bc:ok:<id>' confirm, 'bc:ed' change the text, 'bc:l' recent,
    'bc:c:<id>' ask to stop, 'bc:cy:<id>' stop."""
    official = await _official(turn)
    if official is None:
        return
    parts = turn.action_arg.split(":") if turn.action_arg else []
    verb, arg = (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")
    if verb == "new":
        await start(turn, official)
    elif verb == "ed" and turn.state == "bc.preview":
        turn.data.get("answers", {}).pop("text", None)
        history = turn.data.get("history", [])
        if history and history[-1] == "text":
            history.pop()
        draft_key = "draft"  # not vocabulary: a conversation data key
        turn.goto("bc.compose", {k: v for k, v in turn.data.items() if k != draft_key})
        await forms.ask(turn, FORM)
    elif verb == "l":
        await recent(turn, official)
    elif verb in ("ok", "c", "cy"):
        broadcast = await _mine(turn, official, arg)
        if broadcast is None:
            return
        if verb == "ok":
            await confirm(turn, official, broadcast)
        elif verb == "c":
            await ask_cancel(turn, official, broadcast)
        else:
            await do_cancel(turn, official, broadcast)
    else:
        await home(turn, official)


async def announcements_command(turn: Turn) -> None:
    official = await _official(turn)
    if official is not None:
        await home(turn, official)


# ---- citizens: opting out and back in ----------------------------------------------------------
async def stop_announcements(turn: Turn) -> None:
    turn.user.status = ChatUserStatus.STOPPED
    turn.say(
        _("You will no longer receive announcements from the authorities. To receive them again, send /batthongbao.")
        + "\n"
        + _("Replies to your own questions and news about your application still reach you.")
    )


async def resume_announcements(turn: Turn) -> None:
    turn.user.status = ChatUserStatus.ACTIVE
    turn.say(_("You will receive announcements from the authorities again. To stop them, send /tatthongbao."))


def register(router: Router) -> None:
    router.command("/thongbao", "/announce")(announcements_command)
    router.command("/tatthongbao")(stop_announcements)
    router.command("/batthongbao")(resume_announcements)
    router.action("bc")(on_action)
    router.state("bc", ask=compose_ask)(compose_state)
