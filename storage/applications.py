"""Applications, their audit trail and consents. Repositories never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import ApplicationStatus
from storage.crypto import DataProtector
from storage.models import Application, Attachment, ChannelUser, Consent, Payment, StatusEvent

NOTE_CONTEXT = "status_event.note"  # the DataProtector context of StatusEvent.note_enc
FIELDS_CONTEXT = "application.fields"  # the DataProtector context of the sealed Application.fields


def masked_phone(phone: str) -> str:
    """What stays in the clear `phone` column: enough for an official to recognise a number read out."""
    return "*" * max(len(phone) - 3, 0) + phone[-3:]


def seal_person(application: Application, protector: DataProtector, phone: str | None, birth_date: date | None) -> None:
    """Store the phone and birth date encrypted (the clear columns keep a masked phone and no date), and the
    name + birth date blind index. No phone (a citizen registered on their behalf without one): an empty
    phone, nothing encrypted."""
    application.phone = masked_phone(phone) if phone else ""
    application.phone_enc = protector.encrypt(phone, context="phone") if phone else None
    application.birth_date = None
    application.birth_date_enc = protector.encrypt(birth_date.isoformat(), context="birth_date") if birth_date else None
    application.person_hash = protector.person_index(application.full_name, birth_date) if birth_date else None


def seal_fields(application: Application, protector: DataProtector, fields: dict[str, Any]) -> None:
    """The form's own answers (address, business, workplace, occupation) identify a person too: the JSON
    column holds them encrypted as a whole (read them with fields_of)."""
    application.fields = protector.seal_json(fields, context=FIELDS_CONTEXT) if fields else {}


def fields_of(application: Any, protector: DataProtector) -> dict[str, Any]:
    """The form's own answers of an application (an ORM row or a Core row with `fields`); rows from before
    sealing hold them in clear."""
    opened = protector.open_json(application.fields or {}, context=FIELDS_CONTEXT)
    return opened if isinstance(opened, dict) else {}


def phone_of(application: Any, protector: DataProtector) -> str:
    """The phone of an application (an ORM row or a Core row with phone and phone_enc)."""
    if application.phone_enc:
        return protector.decrypt(application.phone_enc, context="phone")
    return str(application.phone)


def birth_date_of(application: Any, protector: DataProtector) -> date | None:
    if application.birth_date_enc:
        return date.fromisoformat(protector.decrypt(application.birth_date_enc, context="birth_date"))
    return application.birth_date  # type: ignore[no-any-return]


async def record_consent(
    session: AsyncSession, user: ChannelUser, purpose: str, notice_version: str, now: datetime
) -> Consent:
    consent = Consent(channel_user_id=user.id, purpose=purpose, notice_version=notice_version, granted_at=now)
    session.add(consent)
    await session.flush()
    return consent


async def find_active_by_id_hash(session: AsyncSession, policy_id: str, id_hash: str) -> Application | None:
    stmt = select(Application).where(
        Application.policy_id == policy_id,
        Application.id_hash == id_hash,
        Application.status != ApplicationStatus.WITHDRAWN,
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def code_exists(session: AsyncSession, code: str) -> bool:
    return (await session.execute(select(Application.id).where(Application.code == code))).first() is not None


async def possible_duplicates(
    session: AsyncSession, id_hash: str, phone_hash: str, bank_hash: str | None
) -> Sequence[Application]:
    """Applications under another ID number that share this phone or bank account (no phone: "")."""
    matches = [Application.phone_hash == phone_hash] if phone_hash else []
    if bank_hash:
        matches.append(Application.bank_hash == bank_hash)
    if not matches:
        return []
    stmt = (
        select(Application)
        .where(or_(*matches), Application.id_hash != id_hash, Application.status != ApplicationStatus.WITHDRAWN)
        .order_by(Application.id)
        .limit(20)
    )
    return (await session.execute(stmt)).scalars().all()


async def same_person(
    session: AsyncSession, id_hash: str, person_hash: str | None, exclude_id: int | None = None, limit: int = 20
) -> Sequence[Application]:
    """Active applications of the same person anywhere: the same ID number, or the same folded name and birth
    date (two indexed look-ups, OR-ed: a bitmap OR on PostgreSQL)."""
    match = Application.id_hash == id_hash
    if person_hash is not None:
        match = or_(match, Application.person_hash == person_hash)
    stmt = select(Application).where(match, Application.status != ApplicationStatus.WITHDRAWN)
    if exclude_id is not None:
        stmt = stmt.where(Application.id != exclude_id)
    return (await session.execute(stmt.order_by(Application.id).limit(limit))).scalars().all()


async def add_application(
    session: AsyncSession,
    application: Application,
    attachments: list[dict[str, Any]],
    actor: str,
    now: datetime,
) -> Application:
    session.add(application)
    await session.flush()
    for item in attachments:
        name = item.get("name") or item.get("caption")  # a photo has no name: its caption, if any
        add_attachment(session, application, item["kind"], item["file_id"], name, now=now)
    add_status_event(session, application, None, actor=actor, now=now)
    await session.flush()
    return application


def add_status_event(
    session: AsyncSession,
    application: Application,
    from_status: str | None,
    *,
    actor: str,
    now: datetime,
    note: str | None = None,
    protector: DataProtector | None = None,
) -> None:
    """The audit trail's row of a status change: from `from_status` to the application's status now. The note
    is sealed with `protector`: a citizen's answer may hold an account or ID number."""
    if note and protector is None:
        raise ValueError("a status note is stored encrypted: the protector is needed")
    session.add(
        StatusEvent(
            application_id=application.id,
            from_status=from_status,
            to_status=application.status,
            actor=actor,
            note_enc=protector.encrypt(note, context=NOTE_CONTEXT) if note and protector else None,
            at=now,
        )
    )


def note_of(event: StatusEvent, protector: DataProtector) -> str | None:
    """A status event's note in clear (a row from before 0013 that no start has sealed yet is in clear)."""
    return protector.decrypt(event.note_enc, context=NOTE_CONTEXT) if event.note_enc else event.note


def add_payment(
    session: AsyncSession,
    application: Application,
    *,
    amount: int,
    paid_on: date,
    method: str,
    reference: str | None,
    actor: str,
    now: datetime,
) -> None:
    """A payment made for the application, recorded by `actor`."""
    session.add(
        Payment(
            application_id=application.id,
            amount=amount,
            paid_on=paid_on,
            method=method,
            reference=reference,
            recorded_by=actor,
            recorded_at=now,
        )
    )


def add_attachment(
    session: AsyncSession, application: Application, kind: str, file_id: str, file_name: str | None, *, now: datetime
) -> None:
    session.add(
        Attachment(
            application_id=application.id,
            channel=application.channel,
            kind=kind,
            file_id=file_id,
            file_name=file_name,
            created_at=now,
        )
    )


async def for_chat(session: AsyncSession, channel: str, chat_id: str) -> Sequence[Application]:
    stmt = (
        select(Application)
        .where(Application.channel == channel, Application.chat_id == chat_id)
        .order_by(Application.submitted_at.desc())
    )
    return (await session.execute(stmt)).scalars().all()


async def by_code(session: AsyncSession, code: str) -> Application | None:
    return (await session.execute(select(Application).where(Application.code == code))).scalar_one_or_none()


async def by_code_in_chat(session: AsyncSession, code: str, channel: str, chat_id: str) -> Application | None:
    """The application with this code, only if it belongs to this chat (a citizen's own)."""
    application = await by_code(session, code)
    if application is None or (application.channel, application.chat_id) != (channel, chat_id):
        return None
    return application


async def link_chat(
    session: AsyncSession, application: Application, channel: str, chat_id: str, channel_user_id: int, now: datetime
) -> bool:
    """Move an application registered on a citizen's behalf to the citizen's own chat, once: False when some
    chat linked it first (the row is updated only while linked_at is still empty)."""
    result = await session.execute(
        update(Application)
        .where(Application.id == application.id, Application.linked_at.is_(None))
        .values(channel=channel, chat_id=chat_id, channel_user_id=channel_user_id, linked_at=now, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
