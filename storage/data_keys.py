"""The personal-data key's row (`data_keys`: its id, a keyed hash, never the key) and the passes over the
personal data that a key change or a first start needs: re-encryption under a new key, sealing the rows from
before encryption, the name + birth date index. bot/datakey.py decides when; repositories never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage import keyvalues
from storage.applications import (
    NOTE_CONTEXT,
    birth_date_of,
    fields_of,
    note_of,
    phone_of,
    seal_fields,
    seal_person,
)
from storage.conversations import DATA_CONTEXT
from storage.crypto import DataProtector, is_sealed
from storage.models import Application, Conversation, DataKey, Official, OutboxMessage, StatusEvent
from storage.officials import EMAIL_CONTEXT
from storage.outbox import PAYLOAD_CONTEXT
from storage.sql import conflict_insert, dialect_of

ROW_ID = 1  # the table's one row


def stored_state(conn: Connection) -> tuple[str | None, bool]:
    """(the recorded key id, whether an application exists): read without creating any table."""
    tables = set(inspect(conn).get_table_names())
    key_id = None
    if "data_keys" in tables:
        key_id = conn.execute(select(DataKey.key_id).where(DataKey.id == ROW_ID)).scalar_one_or_none()
    has_data = "applications" in tables and bool(conn.execute(select(func.count()).select_from(Application)).scalar())
    return key_id, has_data


async def sample_token(conn: AsyncConnection) -> str | None:
    """One encrypted ID number, to try a key on (None: no application yet)."""
    return (await conn.execute(select(Application.id_number_enc).limit(1))).scalar_one_or_none()


async def record(session: AsyncSession, key_id: str, now: datetime) -> bool:
    """Record the key's id unless one is recorded; True when this call recorded it."""
    table = DataKey.__table__
    values = {"id": ROW_ID, "key_id": key_id, "created_at": now}
    insert = conflict_insert(dialect_of(session), table).values(**values).on_conflict_do_nothing(index_elements=["id"])
    return (await session.execute(insert.returning(table.c.id))).first() is not None


async def recorded(session: AsyncSession) -> str:
    """The recorded key id (after `record`)."""
    return (await session.execute(select(DataKey.key_id).where(DataKey.id == ROW_ID))).scalar_one()


@dataclass
class Rotated:
    applications: int = 0
    conversations: int = 0
    messages: int = 0


async def rotate(session: AsyncSession, old: DataProtector, new: DataProtector, now: datetime) -> Rotated:
    """Re-encrypt everything under `new` and record its id, in the caller's one transaction.

    The key row is locked first, so two rotations (or a rotation and a first start) do not interleave.
    Blind indexes are keyed too, so they are computed again from the decrypted values.
    """
    counts = Rotated()
    await session.execute(select(DataKey).where(DataKey.id == ROW_ID).with_for_update())
    for application in (await session.execute(select(Application).order_by(Application.id))).scalars():
        digits = old.decrypt(application.id_number_enc, context="id_number")
        application.id_number_enc = new.encrypt(digits, context="id_number")
        application.id_hash = new.blind_index("id_number", digits)
        phone, born = phone_of(application, old), birth_date_of(application, old)
        seal_person(application, new, phone, born)
        application.phone_hash = new.blind_index("phone", phone) if phone else ""  # no phone: no index
        if application.bank_account_enc:
            account = old.decrypt(application.bank_account_enc, context="bank_account")
            application.bank_account_enc = new.encrypt(account, context="bank_account")
            application.bank_hash = new.blind_index("bank_account", account)
        seal_fields(application, new, fields_of(application, old))
        counts.applications += 1
    for official in (await session.execute(select(Official).where(Official.email_enc.is_not(None)))).scalars():
        address = old.decrypt(official.email_enc or "", context=EMAIL_CONTEXT)
        official.email_enc = new.encrypt(address, context=EMAIL_CONTEXT)
    for event in (await session.execute(select(StatusEvent).where(StatusEvent.note_enc.is_not(None)))).scalars():
        event.note_enc = new.encrypt(note_of(event, old) or "", context=NOTE_CONTEXT)
    await seal_notes(session, new)
    counts.conversations, counts.messages = await reseal(session, old, new)
    await session.execute(update(DataKey).where(DataKey.id == ROW_ID).values(key_id=new.key_id, rotated_at=now))
    return counts


async def seal_people(session: AsyncSession, protector: DataProtector) -> None:
    """Applications from before phone and birth date were encrypted, or before the name + birth date index."""
    stmt = select(Application).where(Application.phone_enc.is_(None))
    for application in (await session.execute(stmt)).scalars():
        seal_person(application, protector, application.phone, application.birth_date)
    await index_people(session, protector)


NOTES_SEALED = "sealed:status_notes"  # keyvalues marker: the notes stored in clear before 0013 are sealed


async def seal_notes(session: AsyncSession, protector: DataProtector) -> int:
    """Status notes stored in clear (before migration 0013) moved into `note_enc`; returns how many."""
    count = 0
    for event in (await session.execute(select(StatusEvent).where(StatusEvent.note.is_not(None)))).scalars():
        event.note_enc = protector.encrypt(event.note, context=NOTE_CONTEXT) if event.note else None
        event.note = None
        count += 1
    return count


FIELDS_SEALED = "sealed:application_fields"  # keyvalues marker: the form answers stored in clear are sealed


async def seal_all_fields(session: AsyncSession, protector: DataProtector) -> int:
    """Applications' own answers stored in clear (before they were sealed) encrypted; returns how many."""
    count = 0
    for application in (await session.execute(select(Application).order_by(Application.id))).scalars():
        if application.fields and not is_sealed(application.fields):
            seal_fields(application, protector, application.fields)
            count += 1
    return count


async def seal_once(session: AsyncSession, protector: DataProtector, now: datetime) -> int:
    """The passes over rows stored in clear by an earlier version, each on the first start that knows it and
    once across processes (a marker in keyvalues): the status notes (before migration 0013) and the
    applications' form answers. Returns how many rows were sealed."""
    count = 0
    for marker, version, seal in ((NOTES_SEALED, "0013", seal_notes), (FIELDS_SEALED, "fields", seal_all_fields)):
        if await keyvalues.put_once(session, marker, version, now):
            count += await seal(session, protector)
    return count


async def index_people(session: AsyncSession, protector: DataProtector) -> int:
    """Fill the name + birth date blind index of applications from before it (migration 0010)."""
    stmt = select(Application).where(Application.person_hash.is_(None), Application.birth_date_enc.is_not(None))
    count = 0
    for application in (await session.execute(stmt)).scalars():
        born = birth_date_of(application, protector)
        if born is not None:
            application.person_hash = protector.person_index(application.full_name, born)
            count += 1
    return count


async def reseal(session: AsyncSession, old: DataProtector, new: DataProtector) -> tuple[int, int]:
    """Conversation data and outbox payloads opened with `old` (or in clear, from before sealing) and
    sealed with `new`; returns how many of each."""
    conversations = messages = 0
    for conv_id, data in (await session.execute(select(Conversation.id, Conversation.data))).all():
        if data:
            sealed = new.seal_json(old.open_json(data, context=DATA_CONTEXT), context=DATA_CONTEXT)
            await session.execute(update(Conversation).where(Conversation.id == conv_id).values(data=sealed))
            conversations += 1
    for row_id, payload in (await session.execute(select(OutboxMessage.id, OutboxMessage.payload))).all():
        sealed = new.seal_json(old.open_json(payload, context=PAYLOAD_CONTEXT), context=PAYLOAD_CONTEXT)
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=sealed))
        messages += 1
    return conversations, messages
