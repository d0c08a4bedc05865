"""SQLAlchemy 2 models. Times are aware UTC (stored naive-as-UTC on SQLite)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, validates

from messages.vocabulary import ApplicationStatus, BroadcastStatus, ChatUserStatus, ComplaintStatus, SendStatus
from storage.crypto import fold_name

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Always hands back aware UTC datetimes, whatever the backend stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON}


RECENT_INCLUDE = ["id", "full_name"]  # the console's list indexes (PostgreSQL INCLUDE columns)

# BigInteger primary keys autoincrement on PostgreSQL; SQLite only autoincrements INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class ChannelUser(Base):
    """A person as seen on one channel (a Telegram chat, a Zalo follower, a console user)."""

    __tablename__ = "channel_users"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8), default="vi")
    # active | stopped (opted out of announcements) | blocked (the user blocked the bot)
    status: Mapped[str] = mapped_column(String(16), default=ChatUserStatus.ACTIVE)
    area_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column()
    # Replies sent since the user last wrote (Zalo allows a few free replies per 48-hour window).
    window_replies: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Conversation(Base):
    """Where a chat stands: the state machine's state and the answers collected so far."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(64), default="start")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The last keyboard shown, so "#2" or a typed label can press a button on any channel.
    keyboard: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedEvent(Base):
    """Claimed platform event ids: Telegram and Zalo both redeliver."""

    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A reply or notice waiting to be sent; written in the turn's transaction, sent after commit."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "status", "next_attempt_at"),
        Index("ix_outbox_chat", "channel", "chat_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # queued -> sending (claimed by a sender) -> sent | failed; retry goes back to queued;
    # held waits until the user writes again (outside Zalo's reply window)
    status: Mapped[str] = mapped_column(String(12), default=SendStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class Consent(Base):
    """A citizen's consent to the processing of personal data (Nghị định 13/2023/NĐ-CP)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_user_id: Mapped[int] = mapped_column(ForeignKey("channel_users.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    notice_version: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column()


class Application(Base):
    """A preliminary support application, as registered by the citizen in the chat.

    ID numbers, bank accounts, phones and birth dates are stored encrypted, with keyed hashes (blind
    indexes) for duplicate lookups; everything else an official needs to review is in plain columns or
    in `fields` (the form's remaining answers).
    """

    __tablename__ = "applications"
    __table_args__ = (
        # Each person at most once per policy (NQ 68 principle); a withdrawn one does not count.
        Index(
            "uq_applications_policy_id_hash",
            "policy_id",
            "id_hash",
            unique=True,
            postgresql_where=text("status <> 'withdrawn'"),
            sqlite_where=text("status <> 'withdrawn'"),
        ),
        Index("ix_applications_area_status", "province_code", "district_code", "commune_code", "status"),
        # Officials' lists: one area level, one status, oldest first (bench/storage.py measured ~130x).
        Index("ix_applications_commune_list", "commune_code", "status", "submitted_at"),
        Index("ix_applications_district_list", "district_code", "status", "submitted_at"),
        Index("ix_applications_province_list", "province_code", "status", "submitted_at"),
        # The overdue and due-soon lists, one status at a time (storage.console.list_page), index-only on
        # PostgreSQL for any area (migration 0012).
        Index(
            "ix_applications_status_list",
            "status",
            "submitted_at",
            "id",
            postgresql_include=["decision_date", "status_changed_at", "province_code", "district_code", "commune_code"],
        ),
        Index("ix_applications_phone_hash", "phone_hash"),
        Index("ix_applications_bank_hash", "bank_hash"),
        Index("ix_applications_chat", "channel", "chat_id"),
        # The web console (issue 16): lists without a status filter, newest first, per area level and for
        # admins; on PostgreSQL they carry the id and the name, so a search by a common name walks the
        # area newest first without reading the table (bench/web_console.py: 95 ms -> 3 ms for a
        # district). The search by ID number: id_hash alone (the unique index leads with policy_id).
        Index("ix_applications_commune_recent", "commune_code", "submitted_at", postgresql_include=RECENT_INCLUDE),
        Index("ix_applications_district_recent", "district_code", "submitted_at", postgresql_include=RECENT_INCLUDE),
        Index("ix_applications_province_recent", "province_code", "submitted_at", postgresql_include=RECENT_INCLUDE),
        Index("ix_applications_submitted_at", "submitted_at", postgresql_include=RECENT_INCLUDE),
        Index("ix_applications_id_hash", "id_hash"),
        Index("ix_applications_person_hash", "person_hash"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(24))  # household_business | free_worker
    policy_id: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.SUBMITTED)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    channel_user_id: Mapped[int] = mapped_column(ForeignKey("channel_users.id"))
    consent_id: Mapped[int | None] = mapped_column(ForeignKey("consents.id"))

    full_name: Mapped[str] = mapped_column(String(128))
    # The name folded as the search compares it (storage.crypto.fold_name: no marks, đ as d, lower case), set
    # with full_name: "nguyen van an" typed on a keyboard without Vietnamese finds "Nguyễn Văn An".
    name_key: Mapped[str] = mapped_column(String(128), default="")

    @validates("full_name")
    def _set_name_key(self, _key: str, value: str) -> str:
        self.name_key = fold_name(value)
        return value

    # Birth date and phone identify a person too: stored encrypted (read them with storage.applications
    # birth_date_of / phone_of); `phone` keeps only a masked form, `birth_date` is NULL for such rows.
    birth_date: Mapped[date | None] = mapped_column(Date)
    birth_date_enc: Mapped[str | None] = mapped_column(Text)
    sex: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str] = mapped_column(String(16))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str] = mapped_column(String(64))
    id_kind: Mapped[str] = mapped_column(String(8))  # cccd | cmnd
    id_number_enc: Mapped[str] = mapped_column(Text)
    id_hash: Mapped[str] = mapped_column(String(64))
    # Blind index of the folded name + ISO birth date (DataProtector.person_index): the same person under
    # another ID number (a CMND and a later CCCD) or in another commune. NULL without a birth date.
    person_hash: Mapped[str | None] = mapped_column(String(64))

    province_code: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[int] = mapped_column(Integer)

    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)

    payment_method: Mapped[str] = mapped_column(String(8))  # cash | bank
    bank_name: Mapped[str | None] = mapped_column(String(128))
    bank_account_enc: Mapped[str | None] = mapped_column(Text)
    bank_hash: Mapped[str | None] = mapped_column(String(64))
    account_holder: Mapped[str | None] = mapped_column(String(128))

    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    estimated_amount: Mapped[int | None] = mapped_column(BigInteger)
    duplicate_note: Mapped[str | None] = mapped_column(Text)  # suspected duplicate, for officials

    # Review and decision (issue 5 lifecycle).
    status_changed_at: Mapped[datetime | None] = mapped_column()
    info_request: Mapped[str | None] = mapped_column(Text)  # the official's open question
    decision_number: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[date | None] = mapped_column(Date)
    approved_amount: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reason: Mapped[str | None] = mapped_column(Text)

    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Registered on the citizen's behalf (issue 18): the official or helper who did it, the citizen's consent
    # given to them in person, and when the citizen later linked their own chat (notices then go there).
    assisted_by: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    consent_in_person: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    linked_at: Mapped[datetime | None] = mapped_column()


class Attachment(Base):
    """A supporting document sent in the chat (a platform file reference)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # photo | document
    file_id: Mapped[str] = mapped_column(String(256))
    file_name: Mapped[str | None] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StatusEvent(Base):
    """The audit trail of an application: every change, who made it and why."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(96))  # "citizen:<channel>:<user>" or "official:<id>"
    note: Mapped[str | None] = mapped_column(Text)  # in clear: only rows from before 0013, until sealed
    note_enc: Mapped[str | None] = mapped_column(Text)  # the note, encrypted (storage.applications.note_of)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Official(Base):
    """A commune, district or province official (or an admin), scoped to an area.

    area_code is the GSO code of the commune, district or province the role covers; admins
    have none and see everything.
    """

    __tablename__ = "officials"
    __table_args__ = (UniqueConstraint("channel", "user_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # a messages.vocabulary.Role
    area_code: Mapped[int | None] = mapped_column(Integer)
    # A monitor (the Fatherland Front, read-only) sits at one level: commune, district or province.
    area_level: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(128))
    # The daily report by e-mail goes here; a work address, still personal: encrypted ("official_email").
    email_enc: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Payment(Base):
    """Money paid out for an application, and the citizen's confirmation that it arrived."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_confirm_due", "confirm_asked_at", "recorded_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(8))  # cash | bank
    reference: Mapped[str | None] = mapped_column(String(128))
    recorded_by: Mapped[str] = mapped_column(String(96))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set by the one process that queues "have you received it?" (the claim); the answer and when.
    confirm_asked_at: Mapped[datetime | None] = mapped_column()
    confirmation: Mapped[str | None] = mapped_column(String(12))  # confirmed | denied (PaymentConfirmation)
    confirmed_at: Mapped[datetime | None] = mapped_column()


class AuditLog(Base):
    """Views and exports of personal data (changes are in status_events)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    actor: Mapped[str] = mapped_column(String(96))
    action: Mapped[str] = mapped_column(String(32))  # view | export | import | lookup
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginToken(Base):
    """A one-time link into the officials' web console: only the SHA-256 of the token is stored.

    Valid until expires_at and for one use (used_at set by the login that consumed it)."""

    __tablename__ = "login_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class LookupAttempt(Base):
    """Failed status look-ups by code + ID digits, per chat, to stop guessing."""

    __tablename__ = "lookup_attempts"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)


class LookupCodeAttempt(Base):
    """Failed look-ups of one application code, from any chat: a new chat gets no fresh guesses."""

    __tablename__ = "lookup_code_attempts"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)


class DataKey(Base):
    """The one row naming the key the personal data is encrypted with: its id (a keyed hash), never the key.

    A process started with another key, or with none while this row exists, refuses to start."""

    __tablename__ = "data_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    rotated_at: Mapped[datetime | None] = mapped_column()


class JobRun(Base):
    """The last run of a scheduled job, so that several processes run it once a day."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyValue(Base):
    """Small shared state that must survive restarts and be updated under a lock
    (e.g. a channel's single-use refresh token)."""

    __tablename__ = "kv_store"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """An official's announcement to many citizens (issue 6), sent at the platform's rate.

    draft (previewed, not confirmed) -> queued (recipients expanded) -> sending -> done; cancelled
    stops what is not yet sent. The counts are filled in when it ends; progress before that is
    counted from the deliveries.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_status", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    official_id: Mapped[int] = mapped_column(ForeignKey("officials.id"), index=True)
    text: Mapped[str] = mapped_column(Text)  # as the official typed it
    message: Mapped[str | None] = mapped_column(Text)  # what citizens get: header, text, opt-out footer
    # {"type": "all"} | {"type": "area", "level": ..., "code": ...} | {"type": "kind", "kind": ...}
    # | {"type": "status", "status": ...}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=BroadcastStatus.DRAFT)
    total: Mapped[int] = mapped_column(Integer, default=0)
    sent_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    blocked_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()  # done or cancelled


class Delivery(Base):
    """One recipient of a broadcast: queued -> sending (claimed) -> sent | failed | blocked | cancelled;
    a retry goes back to queued with a later next_attempt_at."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "channel", "chat_id"),
        Index("ix_broadcast_deliveries_due", "status", "channel", "next_attempt_at", "id"),
        Index("ix_broadcast_deliveries_progress", "broadcast_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default=SendStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)


class DecisionPosting(Base):
    """A decision's list posted publicly at a commune (niêm yết công khai; seed 002, III.5: within 5 days)."""

    __tablename__ = "decision_postings"
    __table_args__ = (UniqueConstraint("commune_code", "decision_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    commune_code: Mapped[int] = mapped_column(Integer)
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date | None] = mapped_column(Date)
    posted_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(96))  # "official:<id>" or "cli:<user>"
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Complaint(Base):
    """A citizen's complaint or feedback (phản ánh, kiến nghị), followed by its code (PA-…).

    The text is personal data: it is in complaint_messages, encrypted. An anonymous report keeps no
    chat (channel and chat_id are NULL): it is followed by its code only."""

    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_commune", "commune_code", "status", "created_at"),
        Index("ix_complaints_district", "district_code", "status", "created_at"),
        Index("ix_complaints_province", "province_code", "status", "created_at"),
        Index("ix_complaints_chat", "channel", "chat_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    category: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=ComplaintStatus.NEW)
    anonymous: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    province_code: Mapped[int] = mapped_column(Integer)
    district_code: Mapped[int] = mapped_column(Integer)
    commune_code: Mapped[int] = mapped_column(Integer)
    citizen_replies: Mapped[int] = mapped_column(Integer, default=0)  # one further reply after an answer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ack_due: Mapped[date] = mapped_column(Date)  # working days, from the deployment's settings
    answer_due: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by: Mapped[str | None] = mapped_column(String(96))
    answered_at: Mapped[datetime | None] = mapped_column()
    answered_by: Mapped[str | None] = mapped_column(String(96))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ComplaintMessage(Base):
    """One entry of a complaint's thread and audit trail: the citizen's text and reply, the officials'
    acknowledgement and answers. The body is encrypted (storage.crypto, context "complaint")."""

    __tablename__ = "complaint_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # text | acknowledged | answer | reply
    author: Mapped[str] = mapped_column(String(96))  # "citizen" or "official:<id>"
    body_enc: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[Any]] = mapped_column(JSON, default=list)  # platform file references
    at: Mapped[datetime] = mapped_column(default=utcnow)
