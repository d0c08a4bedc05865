"""The console's complaints and public-posting pages (issues 16, 17): the same services as the chat
(handlers/complaints.py, handlers/posting.py) and as `hotro posting` (handlers/posting_files.py).

Officials acknowledge and answer complaints and record posting dates; a monitor opens the same pages read
only (auth.MONITOR_ROUTES lets no POST of this module through)."""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import HoTro
from bot.web_console import files, services
from bot.web_console.keys import app_of, db_of, local_today, official_of, typed_date, utc_now
from bot.web_console.render import page, problem
from handlers import admin_units, app_code, validators
from handlers.complaints import service as complaints
from handlers.posting import files as posting_files
from handlers.posting import service as posting
from handlers.review.service import OutboxQueue
from handlers.turn import Notice
from messages import fmt
from messages.i18n import _
from messages.vocabulary import (
    COMPLAINT_CATEGORY_LABELS,
    COMPLAINT_STATUS_LABELS,
    OPEN_COMPLAINT_STATUSES,
    AreaLevel,
    ComplaintStatus,
    complaint_status_label,
)
from storage import complaints as complaint_repo
from storage import postings
from storage.complaints import ACKNOWLEDGED, ANSWER, REPLY, TEXT
from storage.models import Application, Attachment, Complaint, Official
from storage.officials import complaint_scope, covers, may_change, scope

routes = web.RouteTableDef()

PER_PAGE = 50
EARLIEST_POSTING = date(2021, 7, 1)  # NQ 68 is dated 01/07/2021
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _commune_name(code: int) -> str:
    unit = admin_units.get(AreaLevel.COMMUNE, code)
    return unit.name if unit else str(code)


# ---- complaints -------------------------------------------------------------------------------
def lateness(complaint: Complaint, today: date) -> str | None:
    """ "ack" (not acknowledged by its deadline), "answer" (not answered by its deadline) or None."""
    if complaint.status == ComplaintStatus.NEW and complaint.ack_due < today:
        return "ack"
    if complaint.status in OPEN_COMPLAINT_STATUSES and complaint.answer_due < today:
        return "answer"
    return None


@routes.get("/phan-anh", name="complaints")
async def complaint_list(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    status = request.query.get("trang-thai")
    status = status if status in COMPLAINT_STATUS_LABELS else None
    page_text = request.query.get("trang", "1")
    page_no = int(page_text) if page_text.isascii() and page_text.isdigit() and len(page_text) < 6 else 1
    page_no = max(page_no, 1)
    total, items = await complaint_repo.listed(
        db,
        complaint_scope(official),
        status=status,
        open_only=request.query.get("mo") == "1",
        offset=(page_no - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    args = {k: v for k, v in request.query.items() if v and k != "trang"}
    return await page(
        request,
        "complaints.html",
        {
            "items": items,
            "total": total,
            "page_no": page_no,
            "pages": pages,
            "status": status,
            "statuses": COMPLAINT_STATUS_LABELS,
            "open_only": request.query.get("mo") == "1",
            "link": lambda n: "/canbo/phan-anh?" + urlencode({**args, "trang": n}),
            "categories": COMPLAINT_CATEGORY_LABELS,
            "status_label": complaint_status_label,
            "late": lateness,
            "today": local_today(),
            "place": _commune_name,
            "display_code": complaints.display_code,
        },
    )


async def _scoped_complaint(request: web.Request) -> Complaint | None:
    code = app_code.normalize(request.match_info["code"])  # "PA-6UZX-PQJM" as shown, or as stored
    if not 3 < len(code) <= 16:
        return None
    complaint = await complaint_repo.by_code(db_of(request), code)
    return complaint if complaint is not None and covers(official_of(request), complaint) else None


async def complaint_not_found(request: web.Request) -> web.Response:
    return await problem(request, 404, _("That complaint does not exist or is outside your area."))


@dataclass(frozen=True)
class ThreadItem:
    at: datetime
    label: str
    body: str | None
    photos: list[int]  # the attachments' numbers in the complaint (for the file route)


async def _thread(db: AsyncSession, app: HoTro, complaint: Complaint) -> list[ThreadItem]:
    labels = {
        TEXT: _("Complaint"),
        ACKNOWLEDGED: _("Acknowledged by the officials"),
        ANSWER: _("Answer"),
        REPLY: _("The citizen's reply"),
    }
    out, number = [], 0
    for entry in await complaint_repo.thread(db, complaint, app.protector):
        photos = []
        for _item in entry.attachments:
            number += 1
            photos.append(number)
        out.append(ThreadItem(entry.at, labels.get(entry.kind, entry.kind), entry.body, photos))
    return out


def _audit(db: AsyncSession, official: Official, complaint: Complaint, now: datetime) -> None:
    """The same audit row as the chat's view of a complaint (handlers.complaints.chat.officials_view)."""
    complaint_repo.audit_view(db, complaints.official_actor(official), complaint, now)


async def _complaint_page(
    request: web.Request,
    complaint: Complaint,
    *,
    confirm: str | None = None,
    answer: str = "",
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    application = await db.get(Application, complaint.application_id) if complaint.application_id else None
    if application is not None and not covers(official, application):
        application = None
    today = local_today()
    return await page(
        request,
        "complaint.html",
        {
            "complaint": complaint,
            "code": complaints.display_code(complaint.code),
            "category": _(COMPLAINT_CATEGORY_LABELS[complaint.category]),
            "status_label": complaint_status_label(complaint.status),
            "place": admin_units.get(AreaLevel.COMMUNE, complaint.commune_code),
            "application": application,
            "application_code": app_code.display(application.code) if application else "",
            "thread": await _thread(db, app, complaint),
            "late": lateness(complaint, today),
            "can_ack": may_change(official) and complaint.status == ComplaintStatus.NEW,
            "can_answer": may_change(official) and complaint.status in OPEN_COMPLAINT_STATUSES,
            "read_only": not may_change(official),
            "confirm": confirm,
            "answer": answer,
            "error": error,
            "finished": request.query.get("xong"),
            "max_text": complaints.MAX_TEXT,
        },
        status=status,
    )


@routes.get("/phan-anh/{code}", name="complaint")
async def complaint_page(request: web.Request) -> web.Response:
    complaint = await _scoped_complaint(request)
    if complaint is None:
        return await complaint_not_found(request)
    _audit(db_of(request), official_of(request), complaint, utc_now())
    return await _complaint_page(request, complaint)


@routes.get("/phan-anh/{code}/tep/{number}", name="complaint_file")
async def complaint_file(request: web.Request) -> web.StreamResponse:
    db, app = db_of(request), app_of(request)
    complaint = await _scoped_complaint(request)
    number_text = request.match_info["number"]
    number = int(number_text) if number_text.isascii() and number_text.isdigit() and len(number_text) < 4 else 0
    if complaint is None or number < 1:
        return await complaint_not_found(request)
    found = [item for entry in await complaint_repo.thread(db, complaint, app.protector) for item in entry.attachments]
    if number > len(found) or complaint.channel is None:
        return await complaint_not_found(request)
    item = found[number - 1]
    _audit(db, official_of(request), complaint, utc_now())
    await db.commit()
    # Not stored: a transient Attachment, so the file comes the same way as an application's.
    attachment = Attachment(
        id=number, channel=complaint.channel, kind=item.get("kind", "photo"), file_id=item.get("file_id", "")
    )
    attachment.file_name = item.get("name")
    return await files.fetch(request, attachment)


async def _queue(request: web.Request, notices: list[Notice]) -> OutboxQueue:
    changed = services.changes(db_of(request), app_of(request), utc_now())
    for notice in notices:
        await changed.put(notice)
    return changed


@routes.post("/phan-anh/{code}/tiep-nhan", name="complaint_ack")
async def complaint_ack(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    complaint = await _scoped_complaint(request)
    if complaint is None:
        return await complaint_not_found(request)
    form = await request.post()
    if complaint.status != ComplaintStatus.NEW:
        return await problem(
            request,
            409,
            _("The complaint is now “{status}”; nothing was changed.").format(
                status=complaint_status_label(complaint.status)
            ),
        )
    if form.get("confirm") != "1":
        return await _complaint_page(request, complaint, confirm="ack")
    notices = await complaints.acknowledge(db, app.protector, official, complaint, utc_now())
    changed = await _queue(request, notices)
    await db.commit()
    await services.send_notices(app, changed)
    raise web.HTTPSeeOther(f"/canbo/phan-anh/{complaint.code}?xong=ack")


@routes.post("/phan-anh/{code}/tra-loi", name="complaint_answer")
async def complaint_answer(request: web.Request) -> web.Response:
    official, db, app = official_of(request), db_of(request), app_of(request)
    complaint = await _scoped_complaint(request)
    if complaint is None:
        return await complaint_not_found(request)
    if complaint.status not in OPEN_COMPLAINT_STATUSES:
        return await problem(
            request,
            409,
            _("The complaint is now “{status}”; nothing was changed.").format(
                status=complaint_status_label(complaint.status)
            ),
        )
    form = await request.post()
    raw = form.get("answer")
    checked = validators.clean_text(raw if isinstance(raw, str) else "", max_len=complaints.MAX_TEXT)
    if not isinstance(checked, validators.Valid):
        return await _complaint_page(
            request, complaint, answer=raw if isinstance(raw, str) else "", error=checked.message, status=400
        )
    text: str = checked.value
    if form.get("confirm") != "1":
        return await _complaint_page(request, complaint, confirm="answer", answer=text)
    notices = await complaints.answer(db, app.protector, official, complaint, text, utc_now())
    changed = await _queue(request, notices)
    await db.commit()
    await services.send_notices(app, changed)
    raise web.HTTPSeeOther(f"/canbo/phan-anh/{complaint.code}?xong=answer")


# ---- public posting -------------------------------------------------------------------------------
@routes.get("/niem-yet", name="posting")
async def posting_page(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    today = local_today()
    groups = await postings.decisions(db, scope(official))
    return await page(
        request,
        "posting.html",
        {
            "groups": groups,
            "today": today,
            "state": lambda group: posting.posting_state(group, today),
            "place": _commune_name,
            "can_record": may_change(official),
            "formats": posting_files.FORMATS,
            "finished": request.query.get("xong"),
        },
    )


def _commune_of(request: web.Request, text: str) -> int | None:
    code = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None
    if code is None or admin_units.get(AreaLevel.COMMUNE, code) is None:
        return None
    return code if posting.covers_commune(official_of(request), code) else None


@routes.post("/niem-yet/ghi", name="posting_record")
async def posting_record(request: web.Request) -> web.Response:
    official, db = official_of(request), db_of(request)
    form = await request.post()
    commune_raw, number_raw, day_raw = form.get("xa"), form.get("so"), form.get("ngay")
    commune = _commune_of(request, commune_raw if isinstance(commune_raw, str) else "")
    number = number_raw.strip() if isinstance(number_raw, str) else ""
    posted_on = typed_date(day_raw if isinstance(day_raw, str) else None)
    if commune is None or not number:
        return await problem(request, 404, _("That decision does not exist or is outside your area."))
    if posted_on is None or not EARLIEST_POSTING <= posted_on <= local_today():
        return await problem(
            request,
            400,
            _("Please choose a date between {first} and today.").format(first=fmt.day(EARLIEST_POSTING)),
        )
    try:
        await posting.record_posting(
            db,
            commune_code=commune,
            decision_number=number,
            posted_on=posted_on,
            actor=posting.actor(official),
            now=utc_now(),
            official=official,
        )
    except LookupError:
        return await problem(request, 404, _("That decision does not exist or is outside your area."))
    except posting.NotAllowed:
        return await problem(request, 403, _("As a monitor you can view but not change anything."))
    await db.commit()
    raise web.HTTPSeeOther("/canbo/niem-yet?xong=1")


@routes.get("/niem-yet/{xa}/tai-ve.{ext}", name="posting_download")
async def posting_download(request: web.Request) -> web.StreamResponse:
    db, app = db_of(request), app_of(request)
    ext = request.match_info["ext"]
    commune = _commune_of(request, request.match_info["xa"])
    if commune is None or ext not in posting_files.FORMATS:
        return await problem(request, 404, _("That decision does not exist or is outside your area."))
    number = request.query.get("so") or None
    listed = await posting.build(db, app.protector, commune, today=local_today(), decision_number=number)
    if not listed.decisions:
        return await problem(request, 404, _("That decision does not exist or is outside your area."))
    try:
        data = await asyncio.to_thread(_written, listed, ext, app.settings.pdf_font)
    except posting_files.FontMissing as error:
        return await problem(request, 503, str(error))
    name = f"niem-yet-{commune}-{local_today().isoformat()}.{ext}"
    return web.Response(
        body=data,
        headers={
            "Content-Type": CONTENT_TYPES[ext],
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _written(listed: posting.PostingList, ext: str, font: Path | None) -> bytes:
    """The file as `hotro posting` writes it (handlers/posting_files.write), read back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"niem-yet.{ext}"
        posting_files.write(listed, path, font)
        return path.read_bytes()


def setup(console: web.Application) -> None:
    console.add_routes(routes)
