"""The console's pages: login, dashboard, the application list and page, actions, bulk actions, XLSX,
the daily report, announcements and (for admins) the officials."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web_console import auth, files, services
from bot.web_console.keys import FIGURES, app_of, db_of, local_today, official_of, typed_date, utc_now
from bot.web_console.render import page, problem
from bot.web_console.views import Item, details
from handlers import admin_units, app_code, validators
from handlers.apply import duplicates
from handlers.review import payment_confirm, reasons
from handlers.review import service as review
from handlers.review.chat import ACTION_LABELS
from messages import fmt, vocabulary
from messages.i18n import N_, _
from messages.vocabulary import KIND_LABELS, ROLE_LABELS, ApplicationStatus, AreaLevel, BroadcastStatus, Role
from storage import actors, confirmations, deadlines, login_tokens
from storage import console as queries
from storage.broadcasts import Audience, AudienceError
from storage.console import ListFilter
from storage.models import Application, Official
from storage.officials import ROLES, add_official, all_officials, is_monitor, level_of, scope
from storage.report_figures import due_soon_horizon

routes = web.RouteTableDef()

EARLIEST_DECISION = date(2021, 7, 1)  # NQ 68 is dated 01/07/2021: no decision or payment under it is earlier
BULK_TARGETS = (ApplicationStatus.FORWARDED, ApplicationStatus.APPROVED)
MAX_BULK = 500
LEVEL: dict[str, AreaLevel] = {
    Role.COMMUNE: AreaLevel.COMMUNE,
    Role.DISTRICT: AreaLevel.DISTRICT,
    Role.PROVINCE: AreaLevel.PROVINCE,
}


# ---- helpers ----------------------------------------------------------------------------------
def _text(form: MultiDictProxy[Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 9 else None


def area_name(official: Official) -> str:
    if official.role == Role.ADMIN or official.area_code is None:
        return _("All areas")
    level = level_of(official)
    unit = admin_units.get(level, official.area_code) if level else None
    return unit.full_name if unit else str(official.area_code)


def role_label(official: Official) -> str:
    return _(ROLE_LABELS.get(official.role, official.role))


async def not_found(request: web.Request) -> web.Response:
    # The same answer for "missing" and "outside your area": nothing leaks about other areas.
    return await problem(request, 404, _("That application does not exist or is outside your area."))


# ---- login --------------------------------------------------------------------------------------
@routes.get("/dang-nhap", name="login_help")
async def login_help(request: web.Request) -> web.Response:
    return await page(request, "login_help.html")


@routes.get("/login/{token}", name="login")
async def login_page(request: web.Request) -> web.Response:
    """A page with a button, not the login itself: link previews (Telegram fetches links posted in a chat)
    must not use up the one-time link."""
    token = request.match_info["token"]
    usable = await login_tokens.is_usable(db_of(request), token, utc_now())
    return await page(request, "login_confirm.html", {"usable": usable, "token": token}, status=200 if usable else 410)


@routes.post("/login/{token}", name="login_post")
async def login_post(request: web.Request) -> web.Response:
    db = db_of(request)
    official = await login_tokens.consume(db, request.match_info["token"], utc_now())
    await db.commit()
    if official is None:
        return await page(request, "login_confirm.html", {"usable": False, "token": ""}, status=410)
    await auth.log_in(request, official)
    raise web.HTTPSeeOther("/canbo/")


@routes.post("/dang-xuat", name="logout")
async def logout(request: web.Request) -> web.Response:
    await auth.log_out(request)
    raise web.HTTPSeeOther("/canbo/dang-nhap")


# ---- dashboard ------------------------------------------------------------------------------------
@routes.get("/", name="dashboard")
async def dashboard(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    today, now = local_today(), utc_now()
    cache = request.config_dict[FIGURES]
    figures = await cache.get(
        db,
        official,
        today,
        now,
        due_within=app_of(request).settings.due_soon_working_days,
        refresh=request.query.get("moi") == "1",
    )
    series = figures.series
    peak = max([1, *(max(d.submitted, d.decided) for d in series)])
    return await page(
        request,
        "dashboard.html",
        {
            "area": area_name(official),
            "data": figures.data,
            "due_soon": figures.due_soon,
            "computed_at": figures.computed_at,
            "statuses": vocabulary.STATUSES,
            "series": series,
            "peak": peak,
            "today": today,
            "display_code": app_code.display,
        },
    )


# ---- the list -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListQuery:
    flt: ListFilter
    page: int
    query: str
    search_kind: str | None  # code | number | name
    args: dict[str, str]  # the filters as given, to keep them in links


def parse_list(request: web.Request, official: Official) -> ListQuery:
    q = request.query
    args = {k: v for k, v in q.items() if v and k != "trang"}
    status = q.get("trang-thai") if q.get("trang-thai") in vocabulary.STATUS_LABELS else None
    kind = q.get("loai") if q.get("loai") in KIND_LABELS else None
    district = _int(q.get("huyen"))
    commune = _int(q.get("xa"))
    if district is not None and not services.within(official, AreaLevel.DISTRICT, district):
        district = None
    if commune is not None and not services.within(official, AreaLevel.COMMUNE, commune):
        commune = None
    query = q.get("q", "").strip()
    search, search_kind = review.recognise(query, app_of(request).protector)
    flt = ListFilter(
        status=status,
        kind=kind,
        district=district,
        commune=commune,
        submitted_from=typed_date(q.get("tu")),
        submitted_to=typed_date(q.get("den")),
        overdue=q.get("qua-han") == "1",
        due_within=app_of(request).settings.due_soon_working_days if q.get("sap-han") == "1" else None,
        search=search,
    )
    return ListQuery(flt, _int(q.get("trang")) or 1, query, search_kind, args)


def sub_areas(official: Official, district: int | None, home_province: int) -> dict[str, list[admin_units.Unit]]:
    """The districts and communes an official may filter by (an admin: those of the deployment's province)."""
    out: dict[str, list[admin_units.Unit]] = {"districts": [], "communes": []}
    if official.role == Role.DISTRICT and official.area_code is not None:
        out["communes"] = admin_units.communes(official.area_code)
    elif official.role in (Role.PROVINCE, Role.ADMIN):
        province = official.area_code if official.role == Role.PROVINCE and official.area_code else home_province
        out["districts"] = admin_units.districts(province)
        if district is not None:
            out["communes"] = admin_units.communes(district)
    return out


@routes.get("/ho-so", name="list")
async def application_list(request: web.Request) -> web.Response:
    official, db, settings = official_of(request), db_of(request), app_of(request).settings
    parsed = parse_list(request, official)
    result = await queries.list_page(db, scope(official), parsed.flt, local_today(), parsed.page)
    if parsed.search_kind in ("code", "number"):
        services.audit_search(db, official, parsed.search_kind, result.total, utc_now())

    def link(page_no: int) -> str:
        return "/canbo/ho-so?" + urlencode({**parsed.args, "trang": page_no})

    return await page(
        request,
        "list.html",
        {
            "result": result,
            "flt": parsed.flt,
            "args": parsed.args,
            "query": parsed.query,
            "too_short": parsed.search_kind == "short",
            "link": link,
            "statuses": vocabulary.STATUSES,
            "kinds": KIND_LABELS,
            "areas": sub_areas(official, parsed.flt.district, app_of(request).settings.province_code),
            "export_link": "/canbo/xuat?"
            + urlencode({k: v for k, v in parsed.args.items() if k in ("trang-thai", "loai")}),
            "display_code": app_code.display,
            "place": _commune_name,
            "today": local_today(),
            "overdue": _overdue,
            "deadline": deadlines.deadline,
            "due_soon_days": settings.due_soon_working_days,
            "due_soon_until": due_soon_horizon(local_today(), settings.due_soon_working_days),
            "bulk_targets": BULK_TARGETS,
            "action_labels": ACTION_LABELS,
            "can_move": services.can_move,
            "read_only": is_monitor(official),
        },
    )


def _commune_name(code: int) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, code)
    return unit.name if unit else str(code)


def _overdue(application: Application, today: date) -> str | None:
    return deadlines.overdue(application, today)


# ---- one application --------------------------------------------------------------------------------
async def _scoped(request: web.Request) -> Application | None:
    code = app_code.normalize(request.match_info["code"])
    if not app_code.is_valid(code):
        return None
    return await queries.in_area(db_of(request), scope(official_of(request)), code)


async def _flags(session: AsyncSession, application: Application) -> list[Item]:
    """The same person's other applications (issue 17, never refused) and the citizen's payment answers."""
    items = [
        Item(_("Possibly the same person"), duplicates.describe(match), warn=True)
        for match in (await duplicates.matches(session, application))[: duplicates.MAX_LISTED]
    ]
    for line in payment_confirm.view_lines(await confirmations.answers_of(session, application.id)):
        items.append(Item(_("Payment confirmation"), line, warn=line.startswith("⚠️")))
    return items


@routes.get("/ho-so/{code}", name="application")
async def application_page(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    application = await _scoped(request)
    if application is None:
        return await not_found(request)
    now = utc_now()
    services.audit_view(db, official, application, now)
    history = await queries.history(db, application.id, app.protector)
    answers = [
        e
        for e in history
        if e.kind == "status" and e.from_status == ApplicationStatus.NEEDS_INFO and actors.is_citizen(e.actor)
    ]
    return await page(
        request,
        "application.html",
        {
            "application": application,
            "code": app_code.display(application.code),
            "items": details(application, app.protector, local_today(), masked=is_monitor(official))
            + await _flags(db, application),
            "read_only": is_monitor(official),
            "attachments": await queries.attachments(db, application.id),
            "payments": await queries.payments(db, application.id),
            "history": history,
            "answers": answers,
            "targets": [t for t in ACTION_LABELS if services.can_move(application, t)],
            "action_labels": ACTION_LABELS,
            "actor_labels": await review.actor_labels(db, (e.actor for e in history)),
            "changed": request.query.get("xong"),
            "methods": {"cash": _("cash at the commune"), "bank": _("bank transfer")},
        },
    )


# ---- actions --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    kind: str  # text | textarea | reason (a refusal's: chosen among the policy's, or typed) | date | amount | method
    optional: bool = False


FIELDS: dict[str, list[FieldSpec]] = {
    ApplicationStatus.UNDER_REVIEW: [],
    ApplicationStatus.FORWARDED: [],
    ApplicationStatus.NEEDS_INFO: [FieldSpec("note", N_("Question to the citizen"), "textarea")],
    ApplicationStatus.REJECTED: [FieldSpec("note", N_("Reason"), "reason")],
    ApplicationStatus.APPROVED: [
        FieldSpec("decision_number", N_("Decision number"), "text"),
        FieldSpec("decision_date", N_("Decision date"), "date"),
        FieldSpec("amount", N_("Approved amount"), "amount"),
    ],
    ApplicationStatus.PAID: [
        FieldSpec("amount", N_("Amount paid"), "amount"),
        FieldSpec("paid_on", N_("Payment date"), "date"),
        FieldSpec("method", N_("Method"), "method"),
        FieldSpec("reference", N_("Reference"), "text", optional=True),
    ],
}


def prefill(target: str, application: Application, today: date) -> dict[str, str]:
    if target == ApplicationStatus.PAID:
        amount = application.approved_amount or application.estimated_amount
        return {
            "amount": str(amount or ""),
            "paid_on": fmt.day(today),
            "method": application.payment_method,
        }
    if target == ApplicationStatus.APPROVED:
        return {
            "amount": str(application.estimated_amount or ""),
            "decision_date": fmt.day(today),
        }
    return {}


def parse_fields(
    target: str, form: MultiDictProxy[Any], today: date, kind: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """The typed values and the problems, per field key (`kind`: the application's, for a refusal's reasons)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in FIELDS[target]:
        raw = _text(form, spec.key).strip()
        if not raw and spec.optional:
            continue
        if spec.kind == "reason":
            chosen = _text(form, "reason").strip()
            reason = (
                validators.Valid(chosen)
                if chosen in {c.value for c in reasons.rejection_reasons(kind)}
                else reasons.typed_reason(raw)
            )
            if isinstance(reason, validators.Valid):
                values[spec.key] = reason.value
            else:
                errors[spec.key] = reason.message
        elif spec.kind in ("text", "textarea"):
            result = validators.clean_text(raw, max_len=1000 if spec.kind == "textarea" else 64)
            if isinstance(result, validators.Valid):
                values[spec.key] = result.value
            else:
                errors[spec.key] = result.message
        elif spec.kind == "date":
            day = typed_date(raw)
            if day is None or not EARLIEST_DECISION <= day <= today:
                errors[spec.key] = _("Please choose a date between {first} and today.").format(
                    first=fmt.day(EARLIEST_DECISION)
                )
            else:
                values[spec.key] = day
        elif spec.kind == "amount":
            amount = validators.money_vnd(raw)
            if isinstance(amount, validators.Valid):
                values[spec.key] = amount.value
            else:
                errors[spec.key] = amount.message
        elif spec.kind == "method":
            if raw in ("cash", "bank"):
                values[spec.key] = raw
            else:
                errors[spec.key] = _("Please choose how it was paid.")
    return values, errors


def shown_values(target: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for spec in FIELDS[target]:
        value = values.get(spec.key)
        if value is None:
            continue
        if spec.kind == "date":
            text = fmt.day(value)
        elif spec.kind == "amount":
            text = fmt.vnd(value)
        elif spec.kind == "method":
            text = _("Cash at the commune") if value == "cash" else _("Bank transfer")
        else:
            text = str(value)
        out.append((_(spec.label), text))
    return out


def raw_values(target: str, values: dict[str, Any]) -> dict[str, str]:
    return {
        spec.key: values[spec.key].isoformat() if isinstance(values[spec.key], date) else str(values[spec.key])
        for spec in FIELDS[target]
        if spec.key in values
    }


async def _action_page(
    request: web.Request,
    application: Application,
    target: str,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    confirm: list[tuple[str, str]] | None = None,
) -> web.Response:
    return await page(
        request,
        "action.html",
        {
            "application": application,
            "code": app_code.display(application.code),
            "target": target,
            "label": _(ACTION_LABELS[target]),
            "fields": FIELDS[target],
            "reasons": reasons.rejection_reasons(application.kind),
            "values": values,
            "errors": errors or {},
            "confirm": confirm,
        },
        status=400 if errors else 200,
    )


@routes.get("/ho-so/{code}/thao-tac/{target}", name="action")
async def action_form(request: web.Request) -> web.Response:
    application = await _scoped(request)
    target = request.match_info["target"]
    if application is None:
        return await not_found(request)
    if target not in FIELDS or not services.can_move(application, target):
        raise web.HTTPSeeOther(f"/canbo/ho-so/{application.code}")
    return await _action_page(request, application, target, values=prefill(target, application, local_today()))


@routes.post("/ho-so/{code}/thao-tac/{target}", name="action_post")
async def action_post(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    application = await _scoped(request)
    target = request.match_info["target"]
    if application is None:
        return await not_found(request)
    if target not in FIELDS:
        return await problem(request, 404, _("That action does not exist."))
    form = await request.post()
    values, errors = parse_fields(target, form, local_today(), application.kind)
    if not errors:
        date_key = "decision_date" if target == ApplicationStatus.APPROVED else "paid_on"
        dated = services.date_problem(
            application, decision_date=values.get("decision_date"), paid_on=values.get("paid_on")
        )
        if dated is not None:
            errors[date_key] = dated
    if errors:
        return await _action_page(request, application, target, values={k: _text(form, k) for k in form}, errors=errors)
    if _text(form, "confirm") != "1":
        return await _action_page(
            request, application, target, values=raw_values(target, values), confirm=shown_values(target, values)
        )
    if not services.can_move(application, target):  # someone else moved it meanwhile
        return await problem(
            request,
            409,
            _("The application is now “{status}”; nothing was changed.").format(
                status=vocabulary.status_label(application.status)
            ),
        )
    payment = None
    if target == ApplicationStatus.PAID:
        payment = services.PaymentInfo(values["amount"], values["paid_on"], values["method"], values.get("reference"))
    now = utc_now()
    changed = services.changes(db, app, now)
    await services.change_status(
        db,
        official,
        application,
        target,
        now=now,
        changed=changed,
        note=values.get("note"),
        decision_number=values.get("decision_number"),
        decision_date=values.get("decision_date"),
        amount=values.get("amount") if target == ApplicationStatus.APPROVED else None,
        payment=payment,
    )
    await db.commit()
    await services.send_notices(app, changed)
    raise web.HTTPSeeOther(f"/canbo/ho-so/{application.code}?xong={target}")


# ---- attachments ------------------------------------------------------------------------------------
@routes.get("/ho-so/{code}/tep/{file_id}", name="attachment")
async def attachment(request: web.Request) -> web.StreamResponse:
    official, db = official_of(request), db_of(request)
    application = await _scoped(request)
    file_no = _int(request.match_info["file_id"])
    item = await queries.attachment(db, application.id, file_no) if application and file_no else None
    if application is None or item is None:
        return await not_found(request)
    services.audit_view(db, official, application, utc_now())
    await db.commit()
    return await files.fetch(request, item)


# ---- bulk -----------------------------------------------------------------------------------------
@routes.post("/ho-so/hang-loat", name="bulk")
async def bulk(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    form = await request.post()
    target = _text(form, "action")
    codes = sorted({app_code.normalize(c) for c in form.getall("ma", []) if isinstance(c, str)})
    codes = [c for c in codes if app_code.is_valid(c)][:MAX_BULK]
    if target not in BULK_TARGETS or not codes:
        return await problem(request, 400, _("Select at least one application and an action."))
    values, errors = parse_fields(target, form, local_today()) if target == ApplicationStatus.APPROVED else ({}, {})
    values.pop("amount", None)  # each application's own requested amount
    errors.pop("amount", None)
    applications = await queries.by_codes(db, scope(official), codes)
    movable = [a for a in applications if services.can_move(a, target)]
    stuck = [a for a in applications if not services.can_move(a, target)]
    for application in movable if not errors else []:
        # One decision for all: a date before any of them was filed refuses the whole batch.
        dated = services.date_problem(application, decision_date=values.get("decision_date"), paid_on=None)
        if dated is not None:
            errors["decision_date"] = f"{app_code.display(application.code)}: {dated}"
            break
    context = {
        "target": target,
        "label": _(ACTION_LABELS[target]),
        "movable": movable,
        "stuck": stuck,
        "values": {k: _text(form, k) for k in ("decision_number", "decision_date")},
        "errors": errors,
        "shown": shown_values(target, values),
        "display_code": app_code.display,
    }
    if errors or _text(form, "confirm") != "1":
        return await page(request, "bulk.html", {**context, "changed_count": None}, status=400 if errors else 200)
    now = utc_now()
    changed = services.changes(db, app, now)
    for application in movable:
        await services.change_status(
            db,
            official,
            application,
            target,
            now=now,
            changed=changed,
            decision_number=values.get("decision_number"),
            decision_date=values.get("decision_date"),
        )
    await db.commit()
    await services.send_notices(app, changed)
    return await page(request, "bulk.html", {**context, "changed_count": len(movable)})


# ---- XLSX -------------------------------------------------------------------------------------------
@routes.get("/xuat", name="export")
async def export(request: web.Request) -> web.StreamResponse:
    official, db, app = official_of(request), db_of(request), app_of(request)
    status = request.query.get("trang-thai")
    kind = request.query.get("loai")
    statuses = [status] if status in vocabulary.STATUS_LABELS else None
    await db.commit()  # the export opens its own transaction (SQLite has one connection)
    try:
        data, _count = await services.export_xlsx(
            app, official, statuses=statuses, kind=kind if kind in KIND_LABELS else None, today=local_today()
        )
    except services.ExchangeError as exc:
        return await problem(request, 400, str(exc))
    name = f"danh-sach-ho-so-{local_today().isoformat()}.xlsx"
    return web.Response(
        body=data,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


@routes.get("/nhap", name="import_form")
async def import_form(request: web.Request) -> web.Response:
    return await page(request, "import.html", {"report": None, "problems": [], "summary": [], "error": None})


@routes.post("/nhap", name="import_post")
async def import_post(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    form = await request.post()
    upload = form.get("tep")
    if not isinstance(upload, web.FileField) or not upload.filename:
        return await page(
            request,
            "import.html",
            {"report": None, "problems": [], "summary": [], "error": _("Choose the .xlsx file to import.")},
            status=400,
        )
    data = upload.file.read()
    await db.commit()  # the import opens its own transaction
    try:
        report = await services.import_sheet(app, official, upload.filename, data, utc_now())
    except services.ExchangeError as exc:
        return await page(
            request, "import.html", {"report": None, "problems": [], "summary": [], "error": str(exc)}, status=400
        )
    context = {
        "report": report,
        "problems": services.import_problems(report),
        "summary": services.import_summary(report) if report.ok else [],
        "error": None,
    }
    return await page(request, "import.html", context, status=200 if report.ok else 422)


# ---- daily report --------------------------------------------------------------------------------
@routes.get("/bao-cao", name="report")
async def report_page(request: web.Request) -> web.Response:
    text = await services.report_text(db_of(request), official_of(request), local_today(), utc_now())
    return await page(request, "report.html", {"text": text})


@routes.get("/bao-cao/tai-ve", name="report_download")
async def report_download(request: web.Request) -> web.Response:
    text = await services.report_text(db_of(request), official_of(request), local_today(), utc_now())
    name = f"bao-cao-{local_today().isoformat()}.txt"
    return web.Response(
        text=text + "\n",
        content_type="text/plain",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ---- announcements ---------------------------------------------------------------------------------
def audience_choices(official: Official) -> list[tuple[str, str]]:
    out = []
    if official.role in LEVEL:
        out.append(("mine", _("Everyone in my area ({area})").format(area=area_name(official))))
    if official.role in (Role.PROVINCE, Role.ADMIN):
        out.append(("all", _("Everyone who receives announcements")))
    for kind, label in KIND_LABELS.items():
        out.append((f"kind:{kind}", _("Applicants: {kind}").format(kind=_(label))))
    for status in vocabulary.STATUSES:
        out.append((f"status:{status}", _("Applications “{status}”").format(status=vocabulary.status_label(status))))
    return out


def parse_audience(value: str, unit: str, official: Official) -> Audience:
    if value == "mine" and official.role in LEVEL and official.area_code is not None:
        return Audience("area", level=official.role, code=official.area_code)
    if value == "unit":
        level, _sep, code = unit.partition(":")
        if level in LEVEL and code.isdigit():
            return Audience("area", level=level, code=int(code))
        raise AudienceError("malformed", unit)
    return Audience.parse(value, vocabulary.STATUSES)


async def _announcements(
    request: web.Request, *, preview: dict[str, Any] | None = None, error: str | None = None, status: int = 200
) -> web.Response:
    official, db = official_of(request), db_of(request)
    items = await services.recent_announcements(db, official)
    progress = await services.announcement_progress(db, [b.id for b in items])
    active = any(b.status in (BroadcastStatus.QUEUED, BroadcastStatus.SENDING) for b in items)
    return await page(
        request,
        "announce.html",
        {
            "choices": audience_choices(official),
            "items": items,
            "progress": progress,
            "describe": lambda b: services.describe_audience(Audience.from_json(b.audience), official),
            "labels": services.ANNOUNCEMENT_LABELS,
            "preview": preview,
            "error": error,
            "refresh": active,
            "form": await request.post() if request.method == "POST" else {},
        },
        status=status,
    )


@routes.get("/thong-bao", name="announcements")
async def announcements(request: web.Request) -> web.Response:
    return await _announcements(request)


async def _checked_announcement(request: web.Request) -> tuple[Audience, str] | str:
    official = official_of(request)
    form = await request.post()
    try:
        audience = parse_audience(_text(form, "audience"), _text(form, "unit"), official)
        services.check_audience(official, audience)
    except AudienceError as error:
        return services.audience_error(error)
    text, problem_text = services.clean_announcement(_text(form, "text"))
    if text is None:
        return problem_text or ""
    return audience, text


@routes.post("/thong-bao/xem-truoc", name="announce_preview")
async def announce_preview(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    checked = await _checked_announcement(request)
    if isinstance(checked, str):
        return await _announcements(request, error=checked, status=400)
    audience, text = checked
    found = await services.preview_announcement(db, official, audience, text)
    preview = {
        "message": found.message,
        "count": found.count,
        "audience": services.describe_audience(audience, official),
        "unreachable": found.unreachable,
    }
    return await _announcements(request, preview=preview)


@routes.post("/thong-bao/gui", name="announce_send")
async def announce_send(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    checked = await _checked_announcement(request)
    if isinstance(checked, str):
        return await _announcements(request, error=checked, status=400)
    audience, text = checked
    _broadcast, total = await services.send_announcement(db, official, audience, text, utc_now())
    await db.commit()
    if total <= 0:
        return await _announcements(
            request, error=_("No one who receives announcements matches it. Nothing was sent."), status=400
        )
    raise web.HTTPSeeOther("/canbo/thong-bao")


@routes.post("/thong-bao/{id}/dung", name="announce_cancel")
async def announce_cancel(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    broadcast_id = _int(request.match_info["id"])
    broadcast = await services.find_announcement(db, official, broadcast_id) if broadcast_id else None
    if broadcast is None:
        return await problem(request, 404, _("That announcement does not exist or is not yours."))
    await services.cancel_announcement(db, broadcast.id, utc_now())
    await db.commit()
    raise web.HTTPSeeOther("/canbo/thong-bao")


# ---- officials (admins) -----------------------------------------------------------------------------
async def _admin(request: web.Request) -> web.Response | None:
    if official_of(request).role != Role.ADMIN:
        return await problem(request, 403, _("Only administrators can manage officials."))
    return None


def describe_area(official: Official) -> str:
    return area_name(official)


async def _officials_page(
    request: web.Request, *, message: str | None = None, error: str | None = None, link: str | None = None
) -> web.Response:
    items = await all_officials(db_of(request))
    return await page(
        request,
        "officials.html",
        {
            "items": items,
            "roles": ROLES,
            "role_labels": {role: _(label) for role, label in ROLE_LABELS.items()},
            "area": describe_area,
            "message": message,
            "error": error,
            "link": link,
            "channels": [c.value for c in vocabulary.Channel],
        },
        status=400 if error else 200,
    )


@routes.get("/can-bo", name="officials")
async def officials(request: web.Request) -> web.Response:
    return await _admin(request) or await _officials_page(request)


def _area_problem(role: str, area: int | None) -> str | None:
    if role not in ROLES:
        return _("Choose a role.")
    if role == Role.ADMIN:
        return None if area is None else _("An administrator is not limited to an area: leave the area empty.")
    if area is None or admin_units.get(LEVEL[role], area) is None:
        return _("{area} is not the GSO code of a unit of that level.").format(area=area if area else "–")
    return None


@routes.post("/can-bo/them", name="official_add")
async def official_add(request: web.Request) -> web.Response:
    if (refused := await _admin(request)) is not None:
        return refused
    db = db_of(request)
    form = await request.post()
    channel, user_id = _text(form, "channel"), _text(form, "user_id").strip()
    role, area = _text(form, "role"), _int(_text(form, "area").strip())
    name = _text(form, "name").strip() or None
    if channel not in [c.value for c in vocabulary.Channel] or not user_id or len(user_id) > 64:
        return await _officials_page(request, error=_("Choose the channel and type the user id."))
    if (area_error := _area_problem(role, area)) is not None:
        return await _officials_page(request, error=area_error)
    official = await add_official(db, channel, user_id, role, area if role != Role.ADMIN else None, name)
    await db.commit()
    return await _officials_page(request, message=_("Official {id} saved.").format(id=official.id))


async def _target_official(request: web.Request) -> Official | None:
    official_id = _int(request.match_info["id"])
    return await db_of(request).get(Official, official_id) if official_id else None


@routes.post("/can-bo/{id}/xoa", name="official_remove")
async def official_remove(request: web.Request) -> web.Response:
    if (refused := await _admin(request)) is not None:
        return refused
    target = await _target_official(request)
    if target is None:
        return await problem(request, 404, _("There is no such official."))
    if target.id == official_of(request).id:
        return await _officials_page(request, error=_("You cannot remove yourself."))
    target.active = False
    await db_of(request).commit()
    return await _officials_page(request, message=_("Official {id} removed.").format(id=target.id))


@routes.post("/can-bo/{id}/khu-vuc", name="official_area")
async def official_area(request: web.Request) -> web.Response:
    if (refused := await _admin(request)) is not None:
        return refused
    target = await _target_official(request)
    if target is None:
        return await problem(request, 404, _("There is no such official."))
    form = await request.post()
    role, area = _text(form, "role"), _int(_text(form, "area").strip())
    if (area_error := _area_problem(role, area)) is not None:
        return await _officials_page(request, error=area_error)
    target.role, target.area_code = role, area if role != Role.ADMIN else None
    await db_of(request).commit()
    return await _officials_page(request, message=_("Official {id} saved.").format(id=target.id))


@routes.post("/can-bo/{id}/lien-ket", name="official_link")
async def official_link(request: web.Request) -> web.Response:
    if (refused := await _admin(request)) is not None:
        return refused
    target = await _target_official(request)
    if target is None or not target.active:
        return await problem(request, 404, _("There is no such official."))
    app, db = app_of(request), db_of(request)
    url = await services.login_link(db, target, app.settings.public_url, utc_now())
    sent = await services.send_login_link(db, app, target, url, utc_now())
    await db.commit()
    if sent is not None:
        await app.sender.deliver([sent])
        return await _officials_page(
            request, message=_("A login link has been sent to official {id}.").format(id=target.id)
        )
    # The console channel cannot receive a message: the admin hands the link over.
    return await _officials_page(
        request,
        message=_("Official {id} uses the console, which cannot receive messages: give them this link.").format(
            id=target.id
        ),
        link=url,
    )


def setup(console: web.Application) -> None:
    console.add_routes(routes)
