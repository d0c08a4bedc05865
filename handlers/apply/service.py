"""The submission service: store a citizen's preliminary application (chat today, the web console next).

submit() takes the application as plain data and does what every channel needs: the blind indexes
(hashes) of the ID number, phone and bank account, their encryption, the one-application-per-person
check, the possible-duplicate note (same phone or account under another ID number) and a fresh code.
It writes in the caller's session and never commits; the caller (a chat turn) commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handlers import app_code
from messages.i18n import _
from messages.vocabulary import ApplicationKind, ApplicationStatus
from storage import actors
from storage import applications as repo
from storage.crypto import DataProtector
from storage.models import Application

CODE_PREFIX = {ApplicationKind.HOUSEHOLD_BUSINESS: "HK", ApplicationKind.FREE_WORKER: "TD"}


@dataclass(frozen=True)
class Applicant:
    """Who files it, and where the answers go: the chat and its user."""

    channel: str
    chat_id: str
    user_id: str  # the platform's user id (the audit trail's actor)
    channel_user_id: int  # the ChannelUser row
    consent_id: int | None
    # Registered on the citizen's behalf by this official or helper (issue 18), with the consent given to
    # them in person: the audit trail's actor is then "official:<id>".
    assisted_by: int | None = None


@dataclass(frozen=True)
class NewApplication:
    """A checked application, in clear (submit() encrypts what must be encrypted)."""

    kind: ApplicationKind
    full_name: str
    id_number: str  # 9 (CMND) or 12 (CCCD) digits
    phone: str | None  # None only for a citizen without a phone, registered on their behalf
    province_code: int
    district_code: int
    commune_code: int
    payment_method: str  # cash | bank
    sex: str | None = None
    birth_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    bank_name: str | None = None
    bank_account: str | None = None
    account_holder: str | None = None
    estimated_amount: int | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the kind's own answers (category, occupation, …)
    documents: list[dict[str, Any]] = field(default_factory=list)  # {"kind", "file_id", "name"?, "caption"?}


@dataclass(frozen=True)
class Submitted:
    application: Application


@dataclass(frozen=True)
class AlreadyApplied:
    """An active application of this kind under the same ID number exists (None: it raced in but is not
    visible yet)."""

    existing: Application | None


async def submit(
    session: AsyncSession, protector: DataProtector, now: datetime, applicant: Applicant, new: NewApplication
) -> Submitted | AlreadyApplied:
    """Store `new` as a submitted application of `applicant`, or say which one already exists."""
    policy_id = new.kind
    digits = new.id_number
    id_hash = protector.blind_index("id_number", digits)
    existing = await repo.find_active_by_id_hash(session, policy_id, id_hash)
    if existing is not None:
        return AlreadyApplied(existing)
    bank = new.bank_account
    bank_hash = protector.blind_index("bank_account", bank) if bank else None
    phone_hash = protector.blind_index("phone", new.phone) if new.phone else ""  # no phone: no index
    suspects = await repo.possible_duplicates(session, id_hash, phone_hash, bank_hash)
    code = app_code.new_code(CODE_PREFIX[new.kind])
    while await repo.code_exists(session, code):  # 31**7 codes: a clash is rare but possible
        code = app_code.new_code(CODE_PREFIX[new.kind])
    application = Application(
        code=code,
        kind=policy_id,
        policy_id=policy_id,
        status=ApplicationStatus.SUBMITTED,
        channel=applicant.channel,
        chat_id=applicant.chat_id,
        channel_user_id=applicant.channel_user_id,
        consent_id=applicant.consent_id,
        full_name=new.full_name,
        sex=new.sex,
        phone_hash=phone_hash,
        id_kind="cccd" if len(digits) == 12 else "cmnd",
        id_number_enc=protector.encrypt(digits, context="id_number"),
        id_hash=id_hash,
        province_code=new.province_code,
        district_code=new.district_code,
        commune_code=new.commune_code,
        period_start=new.period_start,
        period_end=new.period_end,
        payment_method=new.payment_method,
        bank_name=new.bank_name if bank else None,
        bank_account_enc=protector.encrypt(bank, context="bank_account") if bank else None,
        bank_hash=bank_hash,
        account_holder=new.account_holder if bank else None,
        estimated_amount=new.estimated_amount,
        duplicate_note=(
            _("Same phone number or bank account as {codes}").format(
                codes=", ".join(app_code.display(a.code) for a in suspects)
            )
            if suspects
            else None
        ),
        submitted_at=now,
        updated_at=now,
        assisted_by=applicant.assisted_by,
        consent_in_person=applicant.assisted_by is not None,
    )
    repo.seal_person(application, protector, new.phone, new.birth_date)
    repo.seal_fields(application, protector, new.fields)
    assisted = applicant.assisted_by
    actor = actors.official(assisted) if assisted is not None else actors.citizen(applicant.channel, applicant.user_id)
    try:
        async with session.begin_nested():
            await repo.add_application(session, application, new.documents, actor, now)
    except IntegrityError:
        # The same ID number was submitted at the same moment from another chat.
        return AlreadyApplied(await repo.find_active_by_id_hash(session, policy_id, id_hash))
    return Submitted(application)
