"""Officials' announcements in the chat (/thongbao) and citizens' opt-out (/tatthongbao, /batthongbao).

An official chooses who receives the announcement (always within their own area), types it, sees a
preview with the number of recipients and confirms. Confirming expands the recipients in the turn's
transaction (storage.broadcasts.queue); bot/announcement_sender.py sends them at the platform's rate. The steps
and the texts recipients read are the service's (handlers/announce/service.py), shared with `hotro broadcast`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from handlers import admin_units, forms
from handlers.announce import service
from handlers.forms import Answers, Choice, Field, Form
from handlers.gate import gated_official, officials_only
from handlers.menu import show_menu
from handlers.router import Router
from handlers.turn import Button, CoreState, Menu, Turn
from handlers.validators import Invalid, Result, Valid
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.vocabulary import KIND_LABELS, AreaLevel, ChatUserStatus, Role
from storage import broadcasts as store
from storage.broadcasts import Audience, AudienceError
from storage.models import Broadcast, Official

RECENT = 5


class AnnounceState(StrEnum):
    COMPOSE = "bc.compose"  # filling in the compose form
    PREVIEW = "bc.preview"  # the preview shown, waiting for send / change / cancel


LEVEL_BELOW: dict[str, tuple[str, ...]] = {
    Role.ADMIN: (AreaLevel.PROVINCE, AreaLevel.DISTRICT, AreaLevel.COMMUNE),
    Role.PROVINCE: (AreaLevel.DISTRICT, AreaLevel.COMMUNE),
    Role.DISTRICT: (AreaLevel.COMMUNE,),
    Role.COMMUNE: (),
}


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
        inside = [u for u in units if service.within_area(role, area, level, u.code)]
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
    return service.place(level, int(code))


def _parse_text(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return service.clean_announcement(text)


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


async def preview(turn: Turn, answers: Answers) -> None:
    """The form is complete: count the recipients, keep a draft and show exactly what will be sent."""
    official = gated_official(turn)  # the compose state is gated
    try:
        audience = audience_from(answers, official)
        shown = await service.preview(turn.session, official, audience, answers["text"])
    except AudienceError as error:
        await start(turn, official, intro=service.audience_error(error))
        return
    count = shown.count
    if count == 0:
        turn.goto(CoreState.MENU, {})
        note = shown.unreachable
        turn.say(
            _("No one who receives announcements matches “{audience}”. Nothing was sent.").format(
                audience=service.describe(audience, official)
            )
            + (f"\n{note}" if note else ""),
            [[Button(_("Choose other recipients"), "bc:new")], [Button(_("« Main menu"), "menu")]],
        )
        return
    draft = await service.create_draft(turn.session, official, audience, answers["text"], turn.now)
    turn.goto(AnnounceState.PREVIEW, {**turn.data, "draft": draft.id})  # not vocabulary: a conversation data key
    rate = _rate(turn)
    turn.say(
        "\n".join(
            [
                _("Preview – recipients will read:"),
                "",
                shown.message,
                "",
                "———",
                _("Recipients: {n} ({audience}).").format(
                    n=fmt.number(count), audience=service.describe(audience, official)
                ),
                service.duration(count, rate),
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
    return turn.config.broadcast_rate_per_second


FORM = Form(FIELDS, preview, review=False)


async def start(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto(AnnounceState.COMPOSE, forms.start_data(role=official.role, area=official.area_code))
    if intro:
        turn.say(intro)
    await forms.ask(turn, FORM)


async def compose_state(turn: Turn, _official: Official) -> None:
    if turn.state == AnnounceState.PREVIEW:
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


async def compose_ask(turn: Turn, _official: Official) -> None:
    if turn.state == AnnounceState.PREVIEW:
        await show_menu(turn)
        return
    await forms.ask(turn, FORM)


# ---- confirm, list, cancel ----------------------------------------------------------------------
async def home(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto(CoreState.MENU, {})
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
    broadcast = await service.find_own(turn.session, official, int(broadcast_id)) if broadcast_id.isdigit() else None
    if broadcast is None:
        await home(turn, official, _("That announcement does not exist or is not yours."))
    return broadcast


async def confirm(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    try:
        total = await service.send(turn.session, official, broadcast, turn.now)
    except service.AlreadyConfirmed:
        await recent(turn, official, _("Announcement #{id} has already been confirmed.").format(id=broadcast.id))
        return
    except service.NotYours:
        await home(turn, official, _("That announcement does not exist or is not yours."))
        return
    except AudienceError as error:  # the official's area may have changed since
        await home(turn, official, service.audience_error(error))
        return
    turn.goto(CoreState.MENU, {})
    if total <= 0:
        await home(turn, official, _("No one is left to receive this announcement. Nothing was sent."))
        return
    turn.say(
        _("Announcement #{id} is queued for {n} recipients. You will get a report when it has been sent.").format(
            id=broadcast.id, n=fmt.number(total)
        )
        + "\n"
        + service.duration(total, _rate(turn)),
        [[Button(_("📋 Recent announcements"), "bc:l")], [Button(_("« Main menu"), "menu")]],
    )


async def recent(turn: Turn, official: Official, intro: str | None = None) -> None:
    turn.goto(CoreState.MENU, {})
    items = await service.recent(turn.session, official, RECENT)
    if not items:
        await home(turn, official, intro or _("You have not sent any announcement yet."))
        return
    paragraphs = await service.describe_recent(turn.session, items)
    text = "\n\n".join([_("Your recent announcements:"), *paragraphs])
    rows = [[Button(_("🛑 Stop #{id}").format(id=b.id), f"bc:c:{b.id}")] for b in items if b.status in store.ACTIVE]
    rows.append([Button(_("🔄 Refresh"), "bc:l"), Button(_("➕ New announcement"), "bc:new")])
    rows.append([Button(_("« Main menu"), "menu")])
    turn.say(f"{intro}\n\n{text}" if intro else text, rows)


async def ask_cancel(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    if broadcast.status not in store.ACTIVE:
        await recent(turn, official, _("Announcement #{id} is no longer being sent.").format(id=broadcast.id))
        return
    left = await service.remaining(turn.session, broadcast)
    turn.say(
        _("Stop announcement #{id}? The {n} messages not yet sent will not be sent.").format(
            id=broadcast.id, n=fmt.number(left)
        ),
        [[Button(_("🛑 Yes, stop it"), f"bc:cy:{broadcast.id}")], [Button(_("« Back"), "bc:l")]],
    )


async def do_cancel(turn: Turn, official: Official, broadcast: Broadcast) -> None:
    if not await service.stop(turn.session, broadcast.id, turn.now):
        await recent(turn, official, _("Announcement #{id} is no longer being sent.").format(id=broadcast.id))
        return
    await recent(turn, official, _("Announcement #{id} has been stopped.").format(id=broadcast.id))


async def on_action(turn: Turn, official: Official) -> None:
    """'bc' home, 'bc:new' compose, 'bc:ok:<id>' confirm, 'bc:ed' change the text, 'bc:l' recent,
    'bc:c:<id>' ask to stop, 'bc:cy:<id>' stop."""
    parts = turn.action_arg.split(":") if turn.action_arg else []
    verb, arg = (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")
    if verb == "new":
        await start(turn, official)
    elif verb == "ed" and turn.state == AnnounceState.PREVIEW:
        forms.forget(turn, "text")
        draft_key = "draft"  # not vocabulary: a conversation data key
        turn.goto(AnnounceState.COMPOSE, {k: v for k, v in turn.data.items() if k != draft_key})
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


async def announcements_command(turn: Turn, official: Official) -> None:
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


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("📢 Announcements"), "bc", menu=Menu.OFFICIALS)
router.command("/thongbao", "/announce")(officials_only(announcements_command, changes=True))
router.command("/tatthongbao")(stop_announcements)
router.command("/batthongbao")(resume_announcements)
router.action("bc")(officials_only(on_action, changes=True))
# A user no longer an official while composing: the menu (compose_ask: without the refusal).
router.state("bc", ask=officials_only(compose_ask, refusal=show_menu, changes=True))(
    officials_only(compose_state, changes=True)
)
