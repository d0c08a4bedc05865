"""The review service: every lifecycle change of an application, with the notice it queues.

Callable by the officials' chat, the citizen's chat, `hotro import` and the web console alike;
none of them needs a Turn. Each function checks the change (handlers.review.lifecycle), writes the status
and its audit row, and hands the notice for the citizen (or the officials) to `notices`, a
NoticeQueue: in a chat turn that is the Turn (the engine writes it to the outbox in the turn's
transaction), elsewhere an OutboxQueue that writes it to the outbox in the caller's session.
Nothing here commits.

    may_act(official, application)            the one area check for an official
    start_review / ask_info / forward / approve / reject / record_payment   an official's changes
    change(...)                               the same, the target status given as data
    answer / withdraw                         the citizen's changes
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import actions, app_code, validators
from handlers.posting.service import mask_id
from handlers.review import lifecycle
from handlers.review.lifecycle import PaymentInfo, TransitionError
from handlers.turn import Button, Notice, Reply
from messages.i18n import _
from messages.vocabulary import ROLE_LABELS, ApplicationStatus
from storage import actors, outbox
from storage import applications as repo
from storage.applications import birth_date_of, fields_of, phone_of
from storage.console import Search
from storage.crypto import DataProtector, DecryptionError
from storage.models import Application, Official, OutboxMessage
from storage.officials import by_ids, covers, officials_for

__all__ = [
    "NoticeQueue",
    "OutboxQueue",
    "PaymentInfo",
    "TransitionError",
    "answer",
    "approve",
    "change",
    "forward",
    "may_act",
    "official_actor",
    "record_payment",
    "reject",
    "start_review",
    "withdraw",
]


class NoticeQueue(Protocol):
    """Where a service puts the notices of its change (a Turn, or an OutboxQueue)."""

    async def put(self, notice: Notice) -> None: ...


@dataclass
class OutboxQueue:
    """Notices written straight to the outbox in `session` (the CLI and the web console). Once the session
    has flushed them (the commit does), `ids` names the rows, for a caller that sends them right away."""

    session: AsyncSession
    now: datetime
    protector: DataProtector
    rows: list[OutboxMessage] = field(default_factory=list)

    async def put(self, notice: Notice) -> None:
        row = await outbox.enqueue(
            self.session, notice.channel, notice.chat_id, notice.reply.to_payload(), self.now, self.protector
        )
        self.rows.append(row)

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def ids(self) -> list[int]:
        return [row.id for row in self.rows]


@dataclass(frozen=True)
class ShownPerson:
    """An application's personal data as an official's view shows it."""

    id_number: str
    account: str | None
    phone: str
    born: date | None
    fields: dict[str, Any]  # the form's own answers (address, business, workplace)


def shown_person(application: Application, protector: DataProtector, *, masked: bool) -> ShownPerson:
    """Decrypted for the chat's and the web console's application view; `masked` (a monitor: monitoring needs
    who and how much, not the ID, phone or account): the ID number masked, the phone as stored (masked), the
    account hidden. Data that does not decrypt shows as "?"."""
    try:
        id_number = protector.decrypt(application.id_number_enc, context="id_number")
        account = (
            protector.decrypt(application.bank_account_enc, context="bank_account")
            if application.bank_account_enc
            else None
        )
        phone, born = phone_of(application, protector), birth_date_of(application, protector)
        fields = fields_of(application, protector)
    except DecryptionError:
        id_number, account, phone, born, fields = "?", "?", application.phone, None, {}
    if masked:
        id_number, phone, account = mask_id(id_number), application.phone, "***" if account else None
    return ShownPerson(id_number, account, phone, born, fields)


def official_actor(official: Official) -> str:
    """The audit trail's name for an official."""
    return actors.official(official.id)


async def actor_labels(session: AsyncSession, recorded: Iterable[str]) -> dict[str, str]:
    """How the audit trail's actors read to officials and monitors: the citizen; an official by name and role
    ("Nguyễn Văn B, cán bộ xã"), or by role and id when unnamed; anything else as recorded."""
    ids = {actor: actors.official_id(actor) for actor in set(recorded)}
    officials = await by_ids(session, {i for i in ids.values() if i is not None})
    labels: dict[str, str] = {}
    for actor, official_id in ids.items():
        if actors.is_citizen(actor):
            labels[actor] = _("the citizen")
        elif official_id is not None and (official := officials.get(official_id)) is not None:
            role = _(ROLE_LABELS.get(official.role, official.role))
            labels[actor] = f"{official.name}, {role}" if official.name else f"{role} #{official.id}"
        else:
            labels[actor] = actor
    return labels


def may_act(official: Official, application: Application | None) -> bool:
    """May this official see and change this application (its area covers it)?"""
    return application is not None and covers(official, application)


async def _citizen_notice(application: Application, payment: PaymentInfo | None, notices: NoticeQueue) -> None:
    text = lifecycle.notice_text(application, payment)
    if text is None:
        return
    buttons = (
        [[Button(_("Reply"), actions.ANSWER.pack(application.code))]]
        if application.status == ApplicationStatus.NEEDS_INFO
        else []
    )
    if application.status == ApplicationStatus.REJECTED:
        buttons.append([Button(_("📣 Complaints and feedback"), "pa")])
    buttons.append([Button(_("My applications"), "status")])
    await notices.put(Notice(application.channel, application.chat_id, Reply(text, buttons)))


async def change(
    session: AsyncSession,
    application: Application,
    to_status: str,
    notices: NoticeQueue,
    *,
    actor: str,
    now: datetime,
    protector: DataProtector,
    note: str | None = None,
    decision_number: str | None = None,
    decision_date: date | None = None,
    amount: int | None = None,
    payment: PaymentInfo | None = None,
) -> None:
    """An official's change (or an imported one) to `to_status`; the citizen's notice is queued.

    Raises TransitionError for a change the lifecycle does not allow."""
    await lifecycle.transition(
        session,
        application,
        to_status,
        actor=actor,
        now=now,
        protector=protector,
        note=note,
        decision_number=decision_number,
        decision_date=decision_date,
        amount=amount,
        payment=payment,
    )
    await _citizen_notice(application, payment, notices)


async def start_review(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> None:
    await change(
        session, application, ApplicationStatus.UNDER_REVIEW, notices, actor=actor, now=now, protector=protector
    )


async def ask_info(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    question: str,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> None:
    await change(
        session,
        application,
        ApplicationStatus.NEEDS_INFO,
        notices,
        actor=actor,
        now=now,
        protector=protector,
        note=question,
    )


async def forward(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> None:
    await change(session, application, ApplicationStatus.FORWARDED, notices, actor=actor, now=now, protector=protector)


async def approve(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    decision_number: str,
    decision_date: date,
    amount: int | None,
    actor: str,
    now: datetime,
    protector: DataProtector,
    note: str | None = None,
) -> None:
    """Approved by decision `decision_number` of `decision_date`; `amount` defaults to the estimate."""
    await change(
        session,
        application,
        ApplicationStatus.APPROVED,
        notices,
        actor=actor,
        now=now,
        protector=protector,
        note=note,
        decision_number=decision_number,
        decision_date=decision_date,
        amount=amount,
    )


async def reject(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    reason: str,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> None:
    await change(
        session,
        application,
        ApplicationStatus.REJECTED,
        notices,
        actor=actor,
        now=now,
        protector=protector,
        note=reason,
    )


async def record_payment(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    payment: PaymentInfo,
    actor: str,
    now: datetime,
    protector: DataProtector,
    note: str | None = None,
) -> None:
    await change(
        session,
        application,
        ApplicationStatus.PAID,
        notices,
        actor=actor,
        now=now,
        protector=protector,
        note=note,
        payment=payment,
    )


async def withdraw(
    session: AsyncSession, application: Application, *, actor: str, now: datetime, protector: DataProtector
) -> None:
    """The citizen withdraws; no notice (they were answered in their chat)."""
    await lifecycle.transition(
        session,
        application,
        ApplicationStatus.WITHDRAWN,
        actor=actor,
        now=now,
        protector=protector,
        note="withdrawn by the citizen",
    )


async def answer(
    session: AsyncSession,
    application: Application,
    notices: NoticeQueue,
    *,
    note: str,
    attachment: tuple[str, str, str | None] | None,
    actor: str,
    now: datetime,
    protector: DataProtector,
) -> None:
    """The citizen answers an information request (text, or a document (kind, file_id, file_name) with
    `note` describing it): back to review, and every official of the area is told."""
    if attachment is not None:
        repo.add_attachment(session, application, *attachment, now=now)
    await lifecycle.transition(
        session, application, ApplicationStatus.UNDER_REVIEW, actor=actor, now=now, protector=protector, note=note
    )
    code = app_code.display(application.code)
    for official in await officials_for(session, application):
        text = _("Application {code}: the citizen answered your question:\n“{answer}”").format(code=code, answer=note)
        buttons = [[Button(_("Open the application"), actions.OF_OPEN.pack(application.id))]]
        await notices.put(Notice(official.channel, official.user_id, Reply(text, buttons)))


MIN_NAME_LETTERS = 3  # "An" alone would match a third of a province


def recognise(query: str, protector: DataProtector) -> tuple[Search | None, str | None]:
    """What an official searches for, in the chat or the web console: a code, a number (ID or phone, through
    the blind indexes), or part of a name; with its kind (code | number | short | name)."""
    text = " ".join(query.split())[:64]
    if not text:
        return None, None
    if app_code.is_valid(text):
        return Search(code=app_code.normalize(text)), "code"
    compact = re.sub(r"[\s.\-()]", "", text)
    if compact.lstrip("+").isdigit():
        id_hash = protector.blind_index("id_number", compact) if len(compact) in (9, 12) else None
        phone = validators.phone(text)
        phone_hash = protector.blind_index("phone", phone.value) if isinstance(phone, validators.Valid) else None
        if id_hash is None and phone_hash is None:
            return Search(code="-"), "number"  # matches nothing
        return Search(id_hash=id_hash, phone_hash=phone_hash), "number"
    if sum(ch.isalpha() for ch in text) < MIN_NAME_LETTERS:
        return Search(code="-"), "short"
    return Search(name=text), "name"
