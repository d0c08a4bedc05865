"""Self-registration of preliminary applications: household businesses (Mẫu số 11, QĐ 23/33)
and free workers (khoản 12 NQ 68, province-defined).

Flow: choose kind -> data-protection notice and consent -> the form -> summary -> confirm ->
the application is stored in the turn's transaction and the citizen gets a code.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from enum import StrEnum
from typing import Any

from handlers import admin_units, app_code, forms, validators
from handlers.apply import duplicates
from handlers.apply import service as submission
from handlers.apply.card_prefill import CardPrefill
from handlers.forms import Also, Answers, Choice, Field, Form
from handlers.intents import typed_question
from handlers.menu import menu_buttons, resume_button, show_menu
from handlers.router import Router
from handlers.turn import CARRIED, Button, CoreState, Turn
from handlers.validators import Invalid, Result, Valid
from messages import banks, fmt
from messages.i18n import N_, _
from messages.normalize import search_key
from messages.vocabulary import ApplicationKind, AreaLevel, Role
from storage import applications as repo
from storage.models import Application, Official
from storage.officials import covers, get_assistant

NOTICE_VERSION = "2023-13"  # the notice text below, written for Nghị định 13/2023/NĐ-CP
WINDOW_START, WINDOW_END = date(2021, 5, 1), date(2021, 12, 31)
HOUSEHOLD_AMOUNT = 3_000_000  # per household, once (khoản 10 Mục II NQ 68)

KINDS = {"hkd": ApplicationKind.HOUSEHOLD_BUSINESS, "ldtd": ApplicationKind.FREE_WORKER}


class ApplyState(StrEnum):
    """The states of an application being made; the form states are named after the form ("hkd", "ldtd")."""

    CHOOSE = "apply.choose"
    CONSENT = "apply.consent"
    HOUSEHOLD_FORM = "apply.hkd"
    FREE_WORKER_FORM = "apply.ldtd"


FORM_STATE = {"hkd": ApplyState.HOUSEHOLD_FORM, "ldtd": ApplyState.FREE_WORKER_FORM}


# ---- parsers: validators adapted to the form engine ------------------------------------
def _today(turn: Turn) -> date:
    return fmt.today_local(turn.now)


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def name_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.person_name(text)


def birth_field(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    result = validators.birth_date(text, today=_today(turn), age_on=WINDOW_END)  # of age during the support
    return Valid(result.value.isoformat()) if isinstance(result, Valid) else result


def sex_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.sex(text)


def id_field(text: str, answers: Answers, turn: Turn) -> Result[Any]:
    result = validators.id_number(
        text, birth_date=_iso(answers.get("birth_date")), sex=answers.get("sex"), today=_today(turn)
    )
    return Valid(result.value.digits) if isinstance(result, Valid) else result


def phone_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.phone(text)


def text_field(max_len: int) -> forms.Parser:
    def parse(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
        return validators.clean_text(text, max_len=max_len)

    return parse


def words_field(max_len: int, unknown: str | None = None) -> forms.Parser:
    """A few words of description; "không biết" is asked again with `unknown` (a msgid), when given."""

    def parse(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
        if unknown is not None and validators.gives_nothing(text):
            return Invalid(_(unknown), "unknown")
        return validators.described(text, max_len=max_len)

    return parse


def order_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    """The document that ordered the closure; one not remembered is recorded so, for the commune, which knows
    the documents of its area, to check."""
    if validators.gives_nothing(text):
        return Valid(_("Number of the document not remembered (the commune checks the local document)"))
    return validators.clean_text(text, max_len=300)


def tax_or_registration(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    result = validators.tax_code(text, today=_today(turn))
    if isinstance(result, Valid):
        return result
    cleaned = validators.clean_text(text, max_len=30)
    # Registration certificate numbers of household businesses mix letters and digits (e.g. 14A8001234).
    if (
        isinstance(cleaned, Valid)
        and any(c.isalpha() for c in cleaned.value)
        and any(c.isdigit() for c in cleaned.value)
    ):
        return cleaned
    return result


def start_date(earliest: date, end_key: str, end: forms.Parser, start_key: str = "period_start") -> forms.Parser:
    """A period's first day, from `earliest` to the end of the window; said with its "until now" ("từ 15/7 đến
    nay"), the end too, as the end's step (`end`) reads "đến nay", when that end passes its checks."""

    def parse(text: str, answers: Answers, turn: Turn) -> Result[Any]:
        result = validators.parse_date(text, earliest=earliest, latest=WINDOW_END, default_year=2021)
        if not isinstance(result, Valid):
            return result
        start = result.value.isoformat()
        if validators.still_going_on(text):
            until = end("đến nay", {**answers, start_key: start}, turn)
            if isinstance(until, Valid):
                return Valid(Also(start, {end_key: until.value}))
        return Valid(start)

    return parse


# A closure may have begun before the window (from 27/4 in many provinces): its days from 01/5 count, and the
# commune sees the dates as they were (validators.period checks the days inside).
CLOSURE_EARLIEST = date(2021, 1, 1)


def end_date(min_days: int, start_key: str) -> forms.Parser:
    def parse(text: str, answers: Answers, turn: Turn) -> Result[Any]:
        # "hôm nay" or "vẫn đang đóng cửa" for a stoppage still going on, "hôm qua" for one that just ended.
        today = _today(turn)
        parsed = validators.parse_date(text, latest=today, default_year=2021, today=today, until_now=True)
        start = _iso(answers.get(start_key))
        if isinstance(parsed, Invalid):
            # "20 ngày", "1 tháng": the date it ends on is worked out, and the citizen types it (a date the
            # commune checks is the citizen's own, not a guess of the bot's).
            end = validators.length_end(text, start) if start is not None and parsed.code == "date_format" else None
            if end is None or start is None:
                return parsed
            return Invalid(
                _(
                    "Counting from {start}, {length} ends on {end}. If that is right, type {end}; "
                    "otherwise type the last day as day/month/year."
                ).format(start=fmt.day(start), length=text.strip(), end=fmt.day(end)),
                "date_length",
            )
        if start is None:
            return Invalid(_("Please give the start date first."), "order")
        checked = validators.period(start, parsed.value, WINDOW_START, WINDOW_END, min_days=min_days)
        return Valid(parsed.value.isoformat()) if isinstance(checked, Valid) else checked

    return parse


CLOSURE_END = end_date(15, "period_start")  # a household business: 15 days at least
JOBLESS_END = end_date(1, "period_start")  # a free worker: the province's rules count the days


def bank_account_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.bank_account(text)


def bank_name_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    return validators.bank_name(text)


def holder_field(text: str, answers: Answers, _turn: Turn) -> Result[Any]:
    """As the bank shows it: a holder typed in capitals ("NGUYEN VAN AN") stays in capitals; "chính tôi" is the
    applicant's name as given at the first step."""
    if validators.names_the_applicant(text) and answers.get("full_name"):
        return Valid(answers["full_name"])
    return validators.person_name(text, keep_capitals=True)


async def id_not_taken(digits: str, _answers: Answers, turn: Turn) -> str | None:
    """At the ID step, not after the whole form: an active application under this ID number ends it here
    (worded as submit words it: no code of another chat's application)."""
    id_hash = turn.services.protector.blind_index("id_number", digits)
    existing = await repo.find_active_by_id_hash(turn.session, KINDS[turn.data["kind"]], id_hash)
    return _already(turn, existing) if existing is not None else None


# ---- how values read in the summary ---------------------------------------------------
def show_date(value: str, _answers: Answers) -> str:
    return fmt.day(date.fromisoformat(value))


def show_masked(value: str, _answers: Answers) -> str:
    return "*" * (len(value) - 4) + value[-4:]


def show_sex(value: str, _answers: Answers) -> str:
    return _("Male") if value == "male" else _("Female")


def show_files(value: list[dict[str, Any]], _answers: Answers) -> str:
    return _("{n} file(s)").format(n=len(value))


def _bank(answers: Answers) -> bool:
    return answers.get("payment") == "bank"


PAYMENT_CHOICES = (
    Choice(
        N_("In cash at the commune People's Committee"),
        "cash",
        also=("tiền mặt", "tm", "lấy tiền mặt", "nhận tại xã", "nhận trực tiếp", "nhận ở xã"),
    ),
    Choice(
        N_("Transfer to my bank account"),
        "bank",
        also=("ck", "chuyển khoản", "ngân hàng", "qua ngân hàng", "tài khoản", "stk", "atm", "thẻ ngân hàng"),
    ),
)


# Cash or a transfer said in a sentence ("cho tôi nhận tiền mặt", "lên xã nhận", "chuyển qua tài khoản") (search_key).
_CASH_WORDS = re.compile(
    r"\b(?:tien mat|truc tiep|(?:nhan|lay|lanh) (?:tai|o) (?:xa|phuong|uy ban|ubnd)|(?:len|ra|den) (?:xa|phuong"
    r"|uy ban|ubnd))\b"
)
_TRANSFER_WORDS = re.compile(r"\b(?:chuyen khoan|ck|tai khoan|stk|ngan hang|atm|the ngan hang)\b")


def payment_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    """Cash or transfer, as pressed, typed or said; a bank named ("agribank", "chuyển qua tài khoản vietcombank")
    is a transfer to that bank; an e-wallet is told it is none."""
    chosen = forms.typed_choice(text, PAYMENT_CHOICES)
    if isinstance(chosen, Valid):
        return chosen
    if validators.names_a_wallet(text):
        return Invalid(
            _(
                "An e-wallet (MoMo, ZaloPay, …) cannot receive the support: it is paid in cash at the commune or "
                "into a bank account. Please choose one below."
            ),
            "payment_wallet",
        )
    bank = banks.match(text) or banks.named_in(text)
    if bank is not None:
        return Valid(Also("bank", {"bank_name": bank.name}))
    said = search_key(text)
    cash, transfer = bool(_CASH_WORDS.search(said)), bool(_TRANSFER_WORDS.search(said))
    return Valid("cash" if cash else "bank") if cash != transfer else chosen


def _answers_the_step(turn: Turn) -> bool:
    """A question that is the step's own answer: "tiền mặt được không", "ví momo được không" at the payment."""
    if turn.data.get("step") != "payment" or not turn.text:
        return False
    said = search_key(turn.text)
    return bool(
        _CASH_WORDS.search(said)
        or _TRANSFER_WORDS.search(said)
        or validators.names_a_wallet(turn.text)
        or banks.named_in(turn.text)
    )


PAYMENT_FIELDS = [
    Field(
        "payment",
        N_("How to receive the money"),
        N_("How would you like to receive the support money?"),
        choices=PAYMENT_CHOICES,
        parse=payment_field,
    ),
    Field(
        "bank_name",
        N_("Bank"),
        N_("Which bank is the account at? (e.g. Agribank, Vietcombank, BIDV)"),
        parse=bank_name_field,
        when=_bank,
    ),
    Field(
        "bank_account",
        N_("Account number"),
        N_("Type the account number (digits only)."),
        parse=bank_account_field,
        when=_bank,
        show=show_masked,
    ),
    Field(
        "account_holder",
        N_("Account holder"),
        N_("Type the account holder's full name, as the bank shows it."),
        parse=holder_field,
        when=_bank,
    ),
]


def documents_field(prompt: str) -> Field:
    return Field("documents", N_("Supporting documents"), prompt, kind="photo", optional=True, show=show_files)


HOUSEHOLD_DOCUMENTS = documents_field(
    N_(
        "If you have photos of supporting documents (e.g. the suspension notice, your ID card), send them now. "
        "Otherwise press “Skip”."
    )
)
WORKER_DOCUMENTS = documents_field(
    N_("If you have photos of supporting documents (e.g. your ID card), send them now. Otherwise press “Skip”.")
)

PHONE_FIELD = Field(
    "phone",
    N_("Phone"),
    N_("Your mobile phone number? (e.g. 0912 345 678)"),
    parse=phone_field,
    recognisable=True,
)

PERSON_FIELDS = [
    Field(
        "birth_date",
        N_("Date of birth"),
        N_("What is your date of birth? (dd/mm/yyyy, e.g. 05/07/1985)"),
        parse=birth_field,
        show=show_date,
    ),
]

HKD_CATEGORIES = (
    Choice(N_("Registered household business / has a tax code"), "registered"),
    Choice(N_("In the tax office's directory of households"), "tax_directory"),
    Choice(N_("Street vendor, snack seller or itinerant trader"), "street_vendor"),
    Choice(N_("Mobile or seasonal business"), "mobile_seasonal"),
    Choice(N_("Low-income service not required to register"), "low_income_service"),
    Choice(N_("Farming, forestry, fishery or salt-making household"), "agri"),
)


# The type of business said in words (search_key), checked in this order: "không có giấy phép" before "có giấy phép".
_UNREGISTERED = re.compile(r"\b(?:khong|chua|ko) (?:co )?(?:giay phep|dang ky|ma so thue|mst|dkkd)\b")
_CATEGORY_WORDS = (
    (re.compile(r"\b(?:giay phep|dang ky kinh doanh|dkkd|ma so thue|mst|giay chung nhan)\b"), "registered"),
    (re.compile(r"\bdanh ba\b"), "tax_directory"),
    (re.compile(r"\b(?:hang rong|ban rong|qua vat|buon chuyen|ban dao)\b"), "street_vendor"),
    (re.compile(r"\b(?:luu dong|thoi vu|theo mua)\b"), "mobile_seasonal"),
    (
        re.compile(
            r"\b(?:nong dan|lam nong|trong (?:rau|lua|cay|hoa)|chan nuoi|nuoi (?:ca|tom|heo|lon|ga|vit|bo)|ngu dan"
            r"|danh (?:ca|bat)|lam muoi|nong nghiep|lam nghiep|thuy san|diem nghiep)\b"
        ),
        "agri",
    ),
    (re.compile(r"\bthu nhap thap\b"), "low_income_service"),
)


def category_field(text: str, _answers: Answers, _turn: Turn) -> Result[Any]:
    """A type of business pressed or typed, or said in words ("có giấy phép kinh doanh", "nông dân trồng rau");
    "không có giấy phép" is told the groups NQ 126 added that need no registration."""
    chosen = forms.typed_choice(text, HKD_CATEGORIES)
    if isinstance(chosen, Valid) or chosen.code != "choose":
        return chosen
    said = search_key(text)
    if _UNREGISTERED.search(said):
        return Invalid(
            _(
                "Without a business registration, a household may still be supported if it is one of the groups "
                "Resolution 126/NQ-CP added: street vendors, snack sellers and itinerant traders; mobile or "
                "seasonal businesses; low-income services not required to register; farming, forestry, fishery "
                "or salt-making households. Please choose the one that fits below."
            ),
            "category_unregistered",
        )
    return next((Valid(value) for words, value in _CATEGORY_WORDS if words.search(said)), chosen)


def _registered(answers: Answers) -> bool:
    return answers.get("category") in ("registered", "tax_directory")


HOUSEHOLD_FIELDS = [
    Field(
        "category",
        N_("Type of business"),
        N_("Which describes your business best?"),
        choices=HKD_CATEGORIES,
        parse=category_field,
    ),
    Field(
        "full_name",
        N_("Owner's full name"),
        N_("What is the full name of the household business owner? (e.g. Nguyễn Văn An)"),
        parse=name_field,
    ),
    *PERSON_FIELDS,
    Field(
        "id_number",
        N_("ID number"),
        N_("Type the owner's citizen ID number (CCCD, 12 digits) or old ID card number (CMND, 9 digits)."),
        parse=id_field,
        depends_on=("birth_date",),
        show=show_masked,
        check=id_not_taken,
        recognisable=True,
    ),
    PHONE_FIELD,
    Field(
        "business_name",
        N_("Business name"),
        N_("The name of the household business (or the name people know it by)."),
        parse=text_field(200),
        optional=True,
    ),
    Field(
        "business_line",
        N_("Line of business"),
        N_("What do you sell or do? (e.g. phở shop, hairdresser)"),
        parse=words_field(
            200, N_("Please say what the business sells or does, for example: quán phở, cắt tóc, bán tạp hóa.")
        ),
    ),
    Field(
        "tax_code",
        N_("Tax code / registration number"),
        N_("Type the tax code or the household business registration number, if you have one."),
        parse=tax_or_registration,
        when=_registered,
        optional=True,
    ),
    Field(
        "place",
        N_("Place of business"),
        N_("Where does the business operate?"),
        kind="unit",
        street="address",
        show=forms.unit_text,
    ),
    Field(
        "address",
        N_("Address"),
        N_("House number, street, village or hamlet of the business."),
        parse=text_field(200),
    ),
    Field(
        "period_start",
        N_("Suspended from"),
        N_(
            "From which date did the business have to stop? (dd/mm/yyyy; if it stopped before 01/05/2021, type "
            "that date: the days from 01/05/2021 count)"
        ),
        parse=start_date(CLOSURE_EARLIEST, "period_end", CLOSURE_END),
        show=show_date,
    ),
    Field(
        "period_end",
        N_("Suspended until"),
        N_("Until which date? (dd/mm/yyyy; at least 15 consecutive days in total; “đến nay” if it is still closed)"),
        parse=CLOSURE_END,
        depends_on=("period_start",),
        show=show_date,
    ),
    Field(
        "order",
        N_("Document ordering the suspension"),
        N_(
            "Which document ordered the suspension? Type its number, date and issuing body "
            "(e.g. Thông báo số 15/TB-UBND ngày 10/7/2021 của UBND huyện), or “Chỉ thị 16” if your area "
            "applied Directive 16."
        ),
        parse=order_field,
    ),
    *PAYMENT_FIELDS,
    HOUSEHOLD_DOCUMENTS,
]


def occupation_choices(turn: Turn) -> tuple[Choice, ...]:
    listed = tuple(Choice(name, name) for name in turn.config.free_worker.occupations)
    return (*listed, Choice(N_("Other occupation"), "other"))


_OCCUPATION_UNKNOWN = N_(
    "Please say what work you did before you lost it, for example: bán vé số, phụ hồ, chạy xe ôm, giúp việc nhà."
)


def occupation_field(text: str, _answers: Answers, turn: Turn) -> Result[Any]:
    """An occupation typed by part of its name ("bán vé số"); work not in the province's list is
    "other", with what was typed as its description (shown in the summary, editable)."""
    if validators.gives_nothing(text):
        return Invalid(_(_OCCUPATION_UNKNOWN), "occupation_missing")
    options = [(_(c.label), c.value) for c in occupation_choices(turn)]
    found = validators.choice(text, options)
    if isinstance(found, Valid) or found.code == "choose_ambiguous":
        return found
    described = validators.described(text, max_len=200)
    if isinstance(described, Invalid):
        return described
    return Valid(forms.Also("other", {"occupation_other": described.value}))


def show_occupation(value: Any, _answers: Answers) -> str:
    """The province's occupations are their own labels; work not in the list is shown as the choice reads."""
    return _("Other occupation") if value == "other" else str(value)


def _other_occupation(answers: Answers) -> bool:
    return answers.get("occupation") == "other"


def _moved(answers: Answers) -> bool:
    return answers.get("same_address") == "no"


FREE_WORKER_FIELDS = [
    Field("full_name", N_("Full name"), N_("What is your full name? (e.g. Nguyễn Thị Lan)"), parse=name_field),
    *PERSON_FIELDS,
    Field(
        "sex",
        N_("Sex"),
        N_("Your sex?"),
        parse=sex_field,
        choices=(Choice(N_("Male"), "male"), Choice(N_("Female"), "female")),
        show=show_sex,
    ),
    Field(
        "id_number",
        N_("ID number"),
        N_("Type your citizen ID number (CCCD, 12 digits) or old ID card number (CMND, 9 digits)."),
        parse=id_field,
        depends_on=("birth_date", "sex"),
        show=show_masked,
        check=id_not_taken,
        recognisable=True,
    ),
    PHONE_FIELD,
    Field(
        "home_place",
        N_("Permanent residence"),
        N_("Where is your permanent residence (thường trú)?"),
        kind="unit",
        street="home_address",
        show=forms.unit_text,
    ),
    Field(
        "home_address",
        N_("Permanent address"),
        N_("House number, street, village or hamlet of your permanent residence."),
        parse=text_field(200),
    ),
    Field(
        "same_address",
        N_("Living at the permanent address"),
        N_("Do you currently live at that address?"),
        choices=(Choice(N_("Yes"), "yes"), Choice(N_("No, I live somewhere else"), "no")),
    ),
    Field(
        "current_place",
        N_("Current residence"),
        N_("Where do you live now?"),
        kind="unit",
        street="current_address",
        show=forms.unit_text,
        when=_moved,
    ),
    Field(
        "current_address",
        N_("Current address"),
        N_("House number, street, village or hamlet where you live now."),
        parse=text_field(200),
        when=_moved,
    ),
    Field(
        "occupation",
        N_("Occupation"),
        N_("What work did you do before losing it? Choose below or type it (e.g. bán vé số)."),
        parse=occupation_field,
        choices=occupation_choices,
        show=show_occupation,
    ),
    Field(
        "occupation_other",
        N_("Other occupation"),
        N_("Describe your work in a few words."),
        parse=words_field(200, _OCCUPATION_UNKNOWN),
        when=_other_occupation,
        depends_on=("occupation",),
    ),
    Field(
        "workplace",
        N_("Place of work"),
        N_("Where did you work? (a market, street, area or employer)"),
        parse=words_field(
            200,
            N_(
                "Please say where you used to work, for example: chợ Đồng Xuân, the streets of your ward; if it "
                "was not one place, type “không cố định”."
            ),
        ),
    ),
    Field(
        "period_start",
        N_("Without work from"),
        N_("Since which date have you been without work and income? (dd/mm/yyyy, from 01/05/2021)"),
        parse=start_date(WINDOW_START, "period_end", JOBLESS_END),
        show=show_date,
    ),
    Field(
        "period_end",
        N_("Without work until"),
        N_("Until which date? (dd/mm/yyyy, or “hôm nay” if you still have no work)"),
        parse=JOBLESS_END,
        depends_on=("period_start",),
        show=show_date,
    ),
    *PAYMENT_FIELDS,
    WORKER_DOCUMENTS,
]


# ---- consent ---------------------------------------------------------------------------
def consent_notice() -> str:
    return _(
        "Before you apply: how we handle your personal data (Decree 13/2023/NĐ-CP)\n"
        "• What we collect: your name, date of birth, ID number, phone, address, work or business details, "
        "and bank account if you choose bank transfer.\n"
        "• Why: only to check and pay the COVID-19 support you apply for.\n"
        "• Who sees it: the officials of the commune, district and province handling your application, "
        "and the tax office for household businesses.\n"
        "• Protection: your ID number, bank account, phone, date of birth, address and work or business "
        "details are stored encrypted; every access by an official is recorded.\n"
        "• Public posting: if your application is approved, the commune posts the list of results publicly, as "
        "the rules require: your name, village and amount, with the ID number partly hidden.\n"
        "• You can withdraw your application until it is approved (“My applications”).\n"
        "Do you agree?"
    )


async def choose_kind(turn: Turn) -> None:
    await open_application(turn, turn.action_arg)


async def open_application(turn: Turn, kind: str | None) -> None:
    """The application of `kind` from its consent notice; without a known kind, the choice of one."""
    if kind not in KINDS:
        turn.goto(ApplyState.CHOOSE, {})
        rows = [
            [Button(_("Household business (3.000.000 ₫)"), "apply:hkd")],
            [Button(_("Free worker without a labour contract"), "apply:ldtd")],
            [Button(_("« Main menu"), "menu")],
        ]
        if turn.paused is not None:  # an application half filled in: offer it before a new one
            rows.insert(0, resume_button())
        turn.say(_("Which support do you want to apply for?"), rows)
        return
    data: dict[str, Any] = {"kind": kind}
    carried = turn.data.get(CARRIED)
    if isinstance(carried, dict) and carried.get("form") == kind:  # "Apply now" right after the questionnaire
        data[CARRIED] = carried
    turn.goto(ApplyState.CONSENT, data)
    await ask_consent(turn)


# The questionnaire's facts and the form's fields that ask the same.
CARRIED_FIELDS = {"start": "period_start", "end": "period_end"}


def carried_answers(turn: Turn, kind: str, carried: dict[str, str]) -> Answers:
    """The questionnaire's dates as the form's answers, each checked by the form's own parser (a date the
    form would refuse, e.g. a suspension under 15 days, is asked again instead)."""
    answers: Answers = {}
    fields = {f.key: f for f in FORMS[kind].fields}
    for fact, key in CARRIED_FIELDS.items():
        form_field = fields.get(key)
        value = carried.get(fact)
        if form_field is None or form_field.parse is None or not value:
            continue
        result = form_field.parse(fmt.day(date.fromisoformat(value)), answers, turn)
        if isinstance(result, Valid):
            answers[key] = result.value
    return answers


async def ask_consent(turn: Turn) -> None:
    if turn.data.get("assisted_by") is not None:  # read out by an official or helper to the citizen present
        turn.say(
            _("Read this notice to the citizen and ask whether they agree:") + "\n\n" + consent_notice(),
            [
                [Button(_("The citizen agreed, in person"), "consent:person")],
                [Button(_("The citizen does not agree"), "consent:no")],
            ],
        )
        return
    turn.say(consent_notice(), [[Button(_("I agree"), "consent:yes")], [Button(_("I do not agree"), "consent:no")]])


async def on_consent(turn: Turn) -> None:
    if turn.state != "apply.consent":
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
        return
    await _consent(turn, turn.action_arg)


async def _consent(turn: Turn, answer: str | None) -> None:
    """'yes' (in this chat), 'person' (to an assistant's face) or anything else: no."""
    assisted_by = turn.data.get("assisted_by")
    if answer == ("person" if assisted_by is None else "yes"):  # the other flow's button
        await show_menu(turn, _("That button is no longer active. Here is the main menu."))
        return
    if answer not in ("yes", "person"):
        await show_menu(
            turn,
            _(
                "No problem: nothing has been recorded. You can still apply in person at your commune People's "
                "Committee (UBND xã)."
            ),
        )
        return
    kind = turn.data.get("kind", "")
    carried = turn.data.get(CARRIED)
    answers = carried_answers(turn, kind, carried) if isinstance(carried, dict) else {}
    extra: dict[str, Any] = {"kind": kind}
    purpose = "application"
    if assisted_by is not None:
        assistant = await _assistant(turn)
        if assistant is None or assistant.id != assisted_by:
            await show_menu(turn, _("Only registered officials and helpers can register for a citizen."))
            return
        answers.update(assisted_prefill(assistant, kind))
        extra["assisted_by"] = assistant.id
        purpose = "application_in_person"  # the citizen agreed to the assistant's face, not in this chat
    consent = await repo.record_consent(turn.session, turn.user, purpose, NOTICE_VERSION, turn.now)
    data = forms.start_data(**extra, consent_id=consent.id)
    data["answers"].update(answers)
    turn.goto(FORM_STATE[kind], data)
    turn.drop_paused()  # a new application instead of the one left half filled in
    turn.say(_("Thank you. Let's start; you can press “Back” to correct the previous answer at any time."))
    if assisted_by is not None:
        turn.say(_("Answer each question with the citizen's details, as on their ID card."))
    if answers and isinstance(carried, dict):
        given = "; ".join(
            f"{_(f.label)}: {forms.display_value(f, answers)}"
            for f in FORMS[kind].fields
            if f.key in answers and f.key in CARRIED_FIELDS.values()
        )
        if given:
            turn.say(
                _(
                    "From your answers to the questionnaire I have filled in: {facts}. You can change them in the "
                    "summary before you submit."
                ).format(facts=given)
            )
    await forms.ask(turn, form_for(turn))


# ---- registration on a citizen's behalf (an official or a helper, with the citizen in person) -------
async def _assistant(turn: Turn) -> Official | None:
    return await get_assistant(turn.session, turn.incoming.channel, turn.incoming.user_id)


def form_for(turn: Turn) -> Form:
    """The form of the conversation's kind: for an assisted registration, the phone may be skipped."""
    kind = turn.data.get("kind", "")
    return (ASSISTED_FORMS if turn.data.get("assisted_by") is not None else FORMS)[kind]


def assisted_prefill(assistant: Official, kind: str) -> Answers:
    """A helper or a commune official registers citizens of their own commune: it is the place already."""
    if assistant.role not in (Role.HELPER, Role.COMMUNE) or assistant.area_code is None:
        return {}
    commune = admin_units.get(AreaLevel.COMMUNE, assistant.area_code)
    district = admin_units.get(AreaLevel.DISTRICT, commune.parent_code) if commune and commune.parent_code else None
    if commune is None or district is None or district.parent_code is None:
        return {}
    place = {
        AreaLevel.PROVINCE: district.parent_code,
        AreaLevel.DISTRICT: district.code,
        AreaLevel.COMMUNE: commune.code,
    }
    return {"place" if kind == "hkd" else "home_place": place}


# ---- submit ----------------------------------------------------------------------------
def estimated_amount(kind: str, answers: Answers, turn: Turn) -> int | None:
    if kind == "hkd":
        return HOUSEHOLD_AMOUNT
    scheme = turn.config.free_worker
    if scheme.mode == "lump":
        return scheme.amount_vnd
    if scheme.mode == "per_day" and scheme.amount_vnd:
        start, end = _iso(answers["period_start"]), _iso(answers["period_end"])
        assert start and end
        days = (min(end, WINDOW_END) - start).days + 1
        if scheme.max_days:
            days = min(days, scheme.max_days)
        return scheme.amount_vnd * days
    return None  # set by the province: no figure is promised


SKIP = {  # answers stored in the application's own columns, not in its `fields`
    "full_name",
    "birth_date",
    "sex",
    "id_number",
    "phone",
    "period_start",
    "period_end",
    "payment",
    "bank_name",
    "bank_account",
    "account_holder",
    "documents",
}


def new_application(kind: str, answers: Answers, turn: Turn) -> submission.NewApplication:
    """The form's answers as the submission service's plain data."""
    place = answers.get("place") or (answers["current_place"] if _moved(answers) else answers["home_place"])
    extra_keys = [f.key for f in form_for(turn).fields if f.applies(answers)]
    bank = answers.get("bank_account") if _bank(answers) else None
    return submission.NewApplication(
        kind=KINDS[kind],
        full_name=answers["full_name"],
        id_number=answers["id_number"],
        phone=answers.get("phone"),  # skipped only in an assisted registration: no phone
        province_code=place[AreaLevel.PROVINCE],
        district_code=place[AreaLevel.DISTRICT],
        commune_code=place[AreaLevel.COMMUNE],
        payment_method=answers["payment"],
        sex=answers.get("sex"),
        birth_date=_iso(answers.get("birth_date")),
        period_start=_iso(answers.get("period_start")),
        period_end=_iso(answers.get("period_end")),
        bank_name=answers.get("bank_name") if bank else None,
        bank_account=bank,
        account_holder=answers.get("account_holder") if bank else None,
        estimated_amount=estimated_amount(kind, answers, turn),
        fields={k: answers[k] for k in extra_keys if k not in SKIP and k in answers},
        documents=answers.get("documents") or [],
    )


async def submit(turn: Turn, answers: Answers) -> None:
    kind: str = turn.data["kind"]
    assistant: Official | None = None
    if turn.data.get("assisted_by") is not None:
        assistant = await _assistant(turn)
        if assistant is None or assistant.id != turn.data["assisted_by"]:
            await show_menu(turn, _("Only registered officials and helpers can register for a citizen."))
            return
    new = new_application(kind, answers, turn)
    where = Application(  # transient: only its area is read
        province_code=new.province_code, district_code=new.district_code, commune_code=new.commune_code
    )
    if assistant is not None and not covers(assistant, where):
        unit = admin_units.get(AreaLevel.COMMUNE, new.commune_code)
        turn.say(
            _("{place} is outside your area: you can register only citizens of your area. Please correct it.").format(
                place=unit.full_name if unit else "?"
            )
        )
        forms.show_summary(turn, form_for(turn))
        return
    applicant = submission.Applicant(
        turn.incoming.channel,
        turn.incoming.chat_id,
        turn.incoming.user_id,
        turn.user.id,
        turn.data.get("consent_id"),
        assisted_by=assistant.id if assistant else None,
    )
    result = await submission.submit(turn.session, turn.services.protector, turn.now, applicant, new)
    if isinstance(result, submission.AlreadyApplied):
        existing = result.existing
        await show_menu(turn, _already(turn, existing) if existing else _("Please try again in a moment."))
        return
    # The same person elsewhere (another commune, an exclusive policy): flagged to the officials, not refused.
    same_person = await duplicates.matches(turn.session, result.application)
    turn.notices.extend(await duplicates.notices(turn.session, result.application, same_person))
    turn.goto(CoreState.MENU, {})
    if assistant is not None:
        turn.say(_assisted_confirmation(result.application), menu_buttons(turn))
        return
    turn.say(_confirmation(kind, result.application), menu_buttons(turn))


def _assisted_confirmation(application: Application) -> str:
    return "\n".join(
        [
            _("The application has been registered for {name}.").format(name=application.full_name),
            _("Application code: {code}").format(code=app_code.display(application.code)),
            _(
                "Write the code down for the citizen. With it and the last 4 digits of their ID number they can "
                "check the application from any phone (“My applications” → “Look up by application code”) and "
                "press “Follow this application” to get its news in their own chat."
            ),
            _("It is recorded that you assisted and that the citizen gave consent in person."),
        ]
    )


def _already(turn: Turn, existing: Application) -> str:
    if (existing.channel, existing.chat_id) != (turn.incoming.channel, turn.incoming.chat_id):
        # Whoever typed someone else's ID number learns no code (the key to a look-up) and no date.
        return _(
            "An application for this support with the same ID number already exists; it was filed from another "
            "chat. Each person can receive this support only once. Follow it in the chat it was filed from; if you "
            "did not file it, contact your commune People's Committee (UBND xã) with your ID card."
        )
    return _(
        "An application for this support with the same ID number already exists (code {code}, submitted "
        "{date}). Each person can receive this support only once, so a second application is not needed. "
        "Use “My applications” to follow it."
    ).format(code=app_code.display(existing.code), date=fmt.day(existing.submitted_at))


def _confirmation(kind: str, application: Application) -> str:
    commune = admin_units.get(AreaLevel.COMMUNE, application.commune_code)
    lines = [
        _("Your application has been received.").strip(),
        _("Application code: {code}").format(code=app_code.display(application.code)),
        _(
            "Keep this code: with it and the last 4 digits of your ID number you can check your application "
            "from any chat."
        ),
        "",
    ]
    if kind == "hkd":
        lines.append(
            _(
                "Next: the People's Committee of {commune} confirms the suspension within 3 working days and posts "
                "the list publicly; the tax office, the district and the province then review it. The support is "
                "{amount} per household, paid once."
            ).format(commune=commune.name if commune else "", amount=fmt.vnd(HOUSEHOLD_AMOUNT))
        )
    else:
        lines.append(
            _(
                "Next: the People's Committee of {commune} reviews the list of free workers and sends it on for "
                "approval, following the province's decision."
            ).format(commune=commune.name if commune else "")
        )
        if application.estimated_amount:
            lines.append(_("Expected support: {amount}.").format(amount=fmt.vnd(application.estimated_amount)))
    lines.append(_("This is a preliminary registration: the commune may contact you to check your documents."))
    return "\n".join(lines)


FORMS: dict[str, Form] = {
    # A photo of the ID card fills the person; a household business may be at the owner's home.
    "hkd": Form(HOUSEHOLD_FIELDS, submit, extension=CardPrefill(business=("place", "address"))),
    "ldtd": Form(FREE_WORKER_FIELDS, submit, extension=CardPrefill(home=("home_place", "home_address"))),
}

# A citizen registered by an official or helper may have no phone: the number is asked, and may be skipped.
ASSISTED_PHONE = replace(
    PHONE_FIELD,
    prompt=N_("The citizen's mobile phone number, if they have one (e.g. 0912 345 678); otherwise press “Skip”."),
    optional=True,
)
ASSISTED_FORMS: dict[str, Form] = {
    kind: Form([ASSISTED_PHONE if f.key == "phone" else f for f in form.fields], submit) for kind, form in FORMS.items()
}


STATE_FORMS: dict[str, Form] = {FORM_STATE[name]: form for name, form in FORMS.items()}


# ---- routing ---------------------------------------------------------------------------
def form_of(state: str) -> Form | None:
    """The form a state fills in (None for choosing and consenting)."""
    return STATE_FORMS.get(state)


def takes_files(turn: Turn) -> bool:
    """The current step is a form's photo step, or one a photo of the ID card answers."""
    form, step = form_of(turn.state), str(turn.data.get("step"))
    if form is not None and form.extension is not None and form.extension.takes_attachment(form, step):
        return True
    return form is not None and any(f.key == step and f.kind == "photo" for f in form.fields)


# What the consent notice itself answers: the data, its protection, who sees it, not agreeing (folded).
_NOTICE_QUESTION = re.compile(
    r"\b(?:du lieu|thong tin ca nhan|thong tin cua (?:toi|em|minh)|an toan|bao mat|ma hoa|lo thong tin"
    r"|ai (?:duoc )?xem|dung de|dung vao|khong dong y|tu choi|nghi dinh 13)\b"
)


def notice_question(text: str) -> bool:
    return bool(_NOTICE_QUESTION.search(search_key(text)))


async def handle_state(turn: Turn) -> None:
    if turn.state == ApplyState.CONSENT:  # the consent buttons are global actions
        said = validators.yes_no(turn.text) if turn.text and not turn.action else None
        if isinstance(said, Valid):  # "tôi đồng ý", "ok", "không đồng ý" typed instead of pressed
            agreed = "yes" if turn.data.get("assisted_by") is None else "person"
            await _consent(turn, agreed if said.value == "yes" else "no")
            return
        if notice_question(turn.text):  # "dữ liệu của tôi có an toàn không": the notice is the answer
            turn.say(
                _(
                    "The notice below answers that. If you do not agree, nothing is recorded, and you can still "
                    "apply in person at your commune People's Committee (UBND xã)."
                )
            )
        else:
            turn.say(_("Please press one of the buttons below."))
        await ask_consent(turn)
        return
    if form_of(turn.state) is None:  # apply.choose
        await choose_kind(turn)
        return
    await forms.handle(turn, form_for(turn))


async def ask_state(turn: Turn) -> None:
    if turn.state == ApplyState.CONSENT:
        await ask_consent(turn)
        return
    if form_of(turn.state) is None:
        await choose_kind(turn)
        return
    await forms.ask(turn, form_for(turn))


router = Router()  # this feature's commands, actions, states and menu entries (handlers/routes.py includes it)
router.menu_entry(N_("Apply for support"), "apply")
router.action("apply")(choose_kind)
router.action("consent")(on_consent)
# A question typed at a step of the form is answered, and the step asked again (at the consent step, not
# yet a form, the buttons are asked for).
router.state(
    "apply",
    ask=ask_state,
    resumable=True,
    takes_files=takes_files,
    # At the consent step, a question about the notice is answered by the notice itself (handle_state).
    questions=lambda turn: (
        typed_question(turn)
        and ("answers" in turn.data or not notice_question(turn.text))
        and not _answers_the_step(turn)
    ),
)(handle_state)
# Choosing what to apply for: typed text that is none of the buttons is a question.
router.state(ApplyState.CHOOSE, ask=ask_state, questions=lambda turn: bool(turn.text) and not turn.action)(handle_state)
