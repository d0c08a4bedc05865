"""What an official types in the chat instead of pressing the officials' buttons.

An application's code opens it when it is in the official's area ("HK-7QX4-M9P7", "xem hồ sơ hk7qx4m9p7");
"tìm Nguyễn Văn An", "tìm 0912 345 678" search the area as the web console does; "hồ sơ chờ duyệt",
"ds đã duyệt", "hồ sơ quá hạn" open that list; "báo cáo", "xem tiến độ", "có bao nhiêu hồ sơ" the report;
"gửi thông báo cho người dân" the announcements.
Anyone else, and an official's code of another area, goes on as a citizen's message would: nothing is
shown or said about an area that is not the official's."""

from __future__ import annotations

import re

from handlers import actions, app_code, validators
from handlers.announce import chat as announce
from handlers.gate import official_of, officials_only
from handlers.intents import code_in, is_acknowledgement, looks_like_question
from handlers.posting import chat as posting
from handlers.report.chat import report_command
from handlers.review import chat
from handlers.review import service as review
from handlers.review.console_login import login_command
from handlers.turn import Button, Turn
from messages import fmt
from messages.i18n import _
from messages.normalize import fold, nfc
from messages.vocabulary import ApplicationStatus
from storage import applications, console, lookups
from storage.console import ListFilter
from storage.models import Official
from storage.officials import scope


def _compiled(table: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern), value) for pattern, value in table)


# Folded words naming a list, checked in this order ("chờ duyệt" before "đã duyệt").
_LISTS = _compiled(
    (
        (r"\b(?:qua han|tre han|cham tien do)\b", lookups.OVERDUE),
        (r"\b(?:cho duyet|chua duyet|chua xu ly|moi nop|da nop|ho so moi|moi)\b", ApplicationStatus.SUBMITTED),
        (r"\bdang (?:xem xet|xu ly|tham dinh)\b", ApplicationStatus.UNDER_REVIEW),
        (r"\b(?:can|cho|yeu cau|phai) bo sung\b", ApplicationStatus.NEEDS_INFO),
        (r"\b(?:da )?(?:chuyen|gui|trinh) (?:len )?huyen\b", ApplicationStatus.FORWARDED),
        (r"\b(?:tu choi|khong duyet|khong duoc duyet|bi loai|khong dat)\b", ApplicationStatus.REJECTED),
        (r"\b(?:da|duoc) (?:phe )?duyet\b", ApplicationStatus.APPROVED),
        # "duyệt hồ sơ", "xét duyệt": the ones to review
        (r"\b(?:(?:phe )?duyet|xet duyet|xem xet) ho so\b|\bxet duyet\b", ApplicationStatus.SUBMITTED),
        (r"\b(?:phe duyet|duyet)\b", ApplicationStatus.APPROVED),
        (r"\b(?:da )?(?:chi tra|tra tien|phat tien)\b", ApplicationStatus.PAID),
        (r"\b(?:da )?rut\b", ApplicationStatus.WITHDRAWN),
    )
)
# "hồ sơ nào sắp hết hạn", "ds sắp quá hạn" (folded): the list of those due soon, though it reads as a question.
_DUE_SOON = re.compile(r"\b(?:sap|gan) (?:het|qua|den|toi) han\b")
_LIST_WORDS = re.compile(r"\b(?:ho so|danh sach|ds|list|xem)\b")
# "báo cáo trục lợi" is a citizen's report of fraud (the complaints), not the area's figures.
_REPORT = re.compile(
    r"^(?:xem |gui |lay |cho (?:toi|em) (?:xem )?)?(?:bao cao|tien do|thong ke|so lieu)\b"
    r"(?!.*\b(?:truc loi|gian lan|sai pham|vi pham|khieu nai)\b)"
)
MAX_WORDS = 8  # a longer message is a question or a sentence, not a request for a list
# An action on the application the official has open ("chuyển huyện", "duyệt hồ sơ này"), checked in this order
# ("không duyệt" is a refusal); folded.
_ACTIONS = _compiled(
    (
        (r"\b(?:chuyen|trinh|gui)\b.*\bhuyen\b|\bchuyen len\b", ApplicationStatus.FORWARDED),
        (r"\bbo sung\b", ApplicationStatus.NEEDS_INFO),
        (r"\b(?:tu choi|khong duyet|loai)\b", ApplicationStatus.REJECTED),
        (r"\b(?:xem xet|bat dau|tiep nhan|tham dinh)\b", ApplicationStatus.UNDER_REVIEW),
        (r"\b(?:chi tra|tra tien|phat tien|da chi)\b", ApplicationStatus.PAID),
        (r"\b(?:phe duyet|duyet)\b", ApplicationStatus.APPROVED),
    )
)
# Words of a list, not of the one application open: "hồ sơ chờ duyệt", "các hồ sơ đã duyệt".
_MANY = re.compile(r"\b(?:danh sach|ds|cac|nhung|cho duyet|chua duyet|da duyet|duoc duyet|qua han)\b")
# "có bao nhiêu hồ sơ rồi", "tổng số hồ sơ": the area's figures, though it reads as a question.
_COUNT = re.compile(r"\b(?:bao nhieu|so luong|tong so|tong cong|may) ho so\b")
# "gửi thông báo cho người dân", "soạn thông báo", "gửi tin nhắn cho bà con": the announcements.
_ANNOUNCE = re.compile(r"^(?:toi muon |em muon |can )?(?:gui|soan|tao|viet|dang) (?:mot )?(?:thong bao|tin nhan)\b")
# "niêm yết", "xem bảng niêm yết": the public posting of the decisions (not the citizens' answer about it).
_POSTING = re.compile(r"^(?:xem |lap |lam |in )?(?:bang |danh sach )?niem yet\b")
# "xuất danh sách", "tải file excel": the export is the web console's.
_EXPORT = re.compile(r"^(?:xuat|tai|tai ve|trich xuat)\s+(?:ra\s+)?(?:danh sach|ds|file|tep|excel|xlsx|bang)\b")
# "tìm Nguyễn Văn An", "tra cứu hồ sơ 001085012345", "tìm sđt 0912 345 678" (NFC, lower case): what follows is searched.
_SEARCH = re.compile(
    r"^(?:tìm kiếm|tìm|tra cứu|tim kiem|tim|tra cuu)\s+(?!hiểu|hieu)"  # "tìm hiểu chính sách" is no search
    r"(?:(?:hồ sơ|ho so|hs|người|nguoi|tên|ten|cccd|cmnd|sđt|sdt|số điện thoại|so dien thoai|số|so|của|cua"
    r"|ông|ong|bà|ba|anh|chị|chi|cô|co|em)\s+)*(.+)$"
)
# "xóa hồ sơ này", "xoá đi" (folded): no application is deleted; what can be done instead is offered.
_DELETE = re.compile(r"^(?:xoa|xoa bo|go bo|loai bo)(?: (?:ho so|hs|di|luon|giup|nay|cai nay))*$")
FOUND_PER_PAGE = 8
_announcements = officials_only(announce.announcements_command, changes=True)


async def handle(turn: Turn) -> bool:
    """True when the message was an official's request and has been answered.

    What was typed is read first: a citizen's question costs no look-up of the officials' table."""
    viewed = turn.data.get(chat.VIEWED)
    if isinstance(viewed, int):
        # "bổ sung hồ sơ cần những gì?" is a question to the bot, not a request to the citizen.
        with_words = None if looks_like_question(turn.text) else _action_with_words(turn.text)
        target, typed = with_words or (_action(turn.text), None)
        # "ok", "xác nhận" with the application open: a decision meant, but not which one.
        unnamed = target is None and (validators.confirms(turn.text) == "yes" or is_acknowledgement(turn.text))
        deleting = target is None and _DELETE.match(_folded(turn.text)) is not None
        official = await official_of(turn) if target is not None or unnamed or deleting else None
        application = await lookups.by_id(turn.session, viewed) if official is not None else None
        if official is not None and application is not None and review.may_act(official, application):
            if target is not None:
                await chat.typed_action(turn, official, application, target, typed)
            else:
                chat.ask_which_decision(turn, official, application, deleting)
            return True
    request = _request(turn.text)
    if request is None:
        return False
    official = await official_of(turn)
    if official is None:
        return False
    match request:
        case ("code", code):
            application = await applications.by_code(turn.session, app_code.normalize(code))
            if application is None or not review.may_act(official, application):
                return False  # looked up as anyone's code: the same answer as for a citizen
            # "chuyển huyện hồ sơ HK-…", "từ chối HK-…": the action typed with the code, on that application.
            around = nfc(turn.text).replace(code, " này ")
            with_words = None if looks_like_question(around) else _action_with_words(" ".join(around.split()))
            target, typed = with_words or (_action(around), None)
            if target is None:
                await chat.show_application(turn, official, application)
            else:
                turn.data[chat.VIEWED] = application.id
                await chat.typed_action(turn, official, application, target, typed)
        case ("search", query):
            await _search(turn, official, query)
        case ("report", _):
            await report_command(turn, official)
        case ("announce", _):
            await _announcements(turn)  # the /thongbao command's own gate: a monitor is refused
        case ("posting", _):
            await posting.decisions_view(turn)
        case ("export", _):
            turn.say(
                _(
                    "The list is exported as an Excel file (XLSX) in the officials' web console: open "
                    "“Applications” there, filter as you need, and press “Export XLSX”."
                )
            )
            await login_command(turn, official)
        case (_, which):
            await chat.list_applications(turn, official, which, 1)
    return True


def _folded(text: str) -> str:
    """The words typed, folded (no marks, đ as d, lower case), one space apart: what the tables above match."""
    return " ".join(re.findall(r"[a-z0-9]+", fold(text)))


def _action(text: str) -> str | None:
    """The status an action typed on the open application moves it to: "… hồ sơ này", or a few words
    without "hồ sơ" ("chuyển huyện", "yêu cầu bổ sung"); a list's words are a list."""
    said = _folded(text)
    words = said.split()
    this = "nay" in words or (len(words) <= 4 and "ho so" not in said)
    if not words or len(words) > MAX_WORDS or not this or _MANY.search(said):
        return None
    return next((target for pattern, target in _ACTIONS if pattern.search(said)), None)


# "từ chối hồ sơ này vì …", "từ chối, lý do: …", "yêu cầu bổ sung ảnh …", "bổ sung: …" (folded): the action,
# then what the citizen will read (the reason, the question) in the words typed.
_WITH_NOTE = _compiled(
    (
        (
            r"^(?:tu choi|khong duyet)(?: ho so)?(?: nay)?\s*[,:;-]?\s*(?:(?:vi|boi vi|do|voi ly do|ly do(?: la)?)\b)?"
            r"\s*[:,-]?\s*",
            ApplicationStatus.REJECTED,
        ),
        (
            r"^(?:yeu cau |de nghi |xin |can )?bo sung(?: thong tin)?(?: ho so)?(?: nay)?\s*[,:;-]?\s*(?:(?:ve|la)\b)?"
            r"\s*[:,-]?\s*",
            ApplicationStatus.NEEDS_INFO,
        ),
    )
)
# "duyệt theo quyết định 1234/QĐ-UBND ngày 20/8/2021", "ghi nhận phê duyệt QĐ số 56/QĐ-UBND" (folded).
_APPROVAL = re.compile(
    r"^(?:ghi nhan )?(?:phe duyet|duyet)(?: ho so)?(?: nay)?\s*[,:;-]?\s*(?:theo\s+)?(?:quyet dinh|qd)\s*(?:so\s*)?"
    r"(?P<number>\d[^\s,;]*)(?:\s*[,;]?\s*ngay\s+(?P<date>\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|hom nay|hom qua))?"
    r"\s*[.]?$"
)


def _action_with_words(text: str) -> tuple[str, dict[str, str]] | None:
    """(status, the form's answers) for an action typed with its words: a rejection's reason, a request's
    question, an approval's decision number and date; None otherwise."""
    said = nfc(text).strip()
    folded = fold(said)
    if len(folded) != len(said):  # fold keeps the length of NFC text: the words are cut from those typed
        return None
    if (m := _APPROVAL.match(folded)) is not None:
        words = {"decision_number": said[m.start("number") : m.end("number")]}
        if m.group("date"):
            words["decision_date"] = said[m.start("date") : m.end("date")]
        return ApplicationStatus.APPROVED, words
    for pattern, target in _WITH_NOTE:
        m = pattern.match(folded)
        if m is not None and len((note := said[m.end() :].strip()).split()) >= 2:
            return target, {"note": note}
    return None


def _request(text: str) -> tuple[str, str] | None:
    """("code", code), ("search", what), ("report" | "announce" | "posting" | "export", ""), ("list", which), or
    None for anything else."""
    code = code_in(text)
    if code is not None:
        return ("code", code) if app_code.is_valid(code) else None
    said = _folded(text)
    if _COUNT.search(said) and len(said.split()) <= MAX_WORDS:
        return "report", ""
    if _DUE_SOON.search(said) and _LIST_WORDS.search(said) and len(said.split()) <= MAX_WORDS:
        return "list", lookups.DUE_SOON
    if _ANNOUNCE.match(said):
        return "announce", ""
    if _POSTING.match(said) and len(said.split()) <= MAX_WORDS:
        return "posting", ""
    if _EXPORT.match(said) and len(said.split()) <= MAX_WORDS:
        return "export", ""
    if looks_like_question(text):
        return None
    if searched := _SEARCH.match(nfc(text).strip().lower()):
        return "search", searched.group(1)
    if not said or len(said.split()) > MAX_WORDS:
        return None
    if _REPORT.match(said):
        return "report", ""
    if not _LIST_WORDS.search(said) and len(said.split()) > 2:
        return None
    return next((("list", which) for pattern, which in _LISTS if pattern.search(said)), None)


async def _search(turn: Turn, official: Official, query: str) -> None:
    """The applications of the official's area that the code, ID number, phone or name typed finds."""
    search, kind = review.recognise(query, turn.services.protector)
    if search is None or kind == "short":
        turn.say(_("Type at least a family name and a given name, an ID number, a phone number or a code."))
        return
    today = fmt.today_local(turn.now)
    found = await console.list_page(turn.session, scope(official), ListFilter(search=search), today, 1, FOUND_PER_PAGE)
    shown = query.strip()[:40]
    if not found.items:
        turn.say(
            _("No application in your area matches “{query}”.").format(query=shown),
            [[Button(_("« Officials' menu"), "of")]],
        )
        return
    rows = [[Button(chat.row_label(a, today), actions.OF_OPEN.pack(a.id))] for a in found.items]
    rows.append([Button(_("« Officials' menu"), "of")])
    count = _("more than {n}").format(n=fmt.number(found.total)) if found.capped else fmt.number(found.total)
    text = _("Found {count} application(s) for “{query}”.").format(count=count, query=shown)
    if found.total > len(found.items):
        text += " " + _("The first {n} are below; type more of the name to narrow it.").format(n=len(found.items))
    turn.say(text, rows)
