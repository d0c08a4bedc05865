"""The application lifecycle: allowed status changes, the audit trail and the citizen's notice.

submitted -> under_review -> needs_info <-> under_review -> forwarded -> approved -> paid;
rejected (with a reason) and withdrawn (by the citizen) end it early. Used by the officials'
chat, the citizen's chat (answer, withdraw) and `hotro import` alike, through handlers.review.service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers import app_code
from messages import fmt
from messages.i18n import N_, _
from messages.vocabulary import ApplicationStatus
from storage import applications as repo
from storage.crypto import DataProtector
from storage.models import Application
from storage.officials import by_id, may_change

TRANSITIONS: dict[str, frozenset[str]] = {
    ApplicationStatus.SUBMITTED: frozenset(
        {
            ApplicationStatus.UNDER_REVIEW,
            ApplicationStatus.NEEDS_INFO,
            ApplicationStatus.FORWARDED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.UNDER_REVIEW: frozenset(
        {
            ApplicationStatus.NEEDS_INFO,
            ApplicationStatus.FORWARDED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.NEEDS_INFO: frozenset(
        {ApplicationStatus.UNDER_REVIEW, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.FORWARDED: frozenset(
        {
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.NEEDS_INFO,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.APPROVED: frozenset({ApplicationStatus.PAID}),
    ApplicationStatus.PAID: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}
METHOD_LABELS = {"cash": N_("cash at the commune"), "bank": N_("bank transfer")}


class TransitionError(ValueError):
    """A change the lifecycle does not allow (e.g. paying an application not yet approved)."""


@dataclass(frozen=True)
class PaymentInfo:
    amount: int
    paid_on: date
    method: str  # cash | bank
    reference: str | None = None


def filed_on(application: Application) -> date | None:
    """The local day the application was filed: no decision may be dated before it."""
    return fmt.today_local(application.submitted_at) if application.submitted_at else None


def date_problem(
    filed_on: date | None, decided_on: date | None, *, decision_date: date | None = None, paid_on: date | None = None
) -> str | None:
    """Why a decision or payment date cannot be right (a decision before the application was filed, a
    payment before its decision), in Vietnamese; None when the order holds. Chat, import and web alike."""
    if decision_date is not None and filed_on is not None and decision_date < filed_on:
        return _("The decision date cannot be before the application was filed ({filed}).").format(
            filed=fmt.day(filed_on)
        )
    if paid_on is not None and decided_on is not None and paid_on < decided_on:
        return _("The payment date cannot be before the decision date ({decided}).").format(decided=fmt.day(decided_on))
    return None


def can_move(application: Application, to_status: str) -> bool:
    return to_status in TRANSITIONS[application.status]


async def _actor_may_change(session: AsyncSession, actor: str) -> bool:
    """An official's change is refused when the official is a monitor, whoever calls: the chat, the
    web console or an import (the identity map makes this a lookup without a query, usually)."""
    prefix, _sep, number = actor.partition(":")
    if prefix != "official" or not number.isdigit():
        return True
    official = await by_id(session, int(number))
    return official is None or may_change(official)


async def transition(
    session: AsyncSession,
    application: Application,
    to_status: str,
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
    """Apply one status change with its audit row (its note sealed with `protector`). The notice is the
    caller's: handlers.review.service queues it."""
    if not await _actor_may_change(session, actor):
        raise TransitionError(f"{actor} is a monitor: a monitor changes nothing")
    if not can_move(application, to_status):
        raise TransitionError(f"{application.status} -> {to_status} is not allowed")
    if to_status == ApplicationStatus.APPROVED and not (decision_number and decision_date):
        raise TransitionError("an approval needs the decision number and date")
    if to_status == ApplicationStatus.PAID and payment is None:
        raise TransitionError("a payment needs its amount, date and method")
    if to_status in (ApplicationStatus.REJECTED, ApplicationStatus.NEEDS_INFO) and not note:
        raise TransitionError(f"{to_status} needs a reason or a question")
    today = fmt.today_local(now)
    if (decision_date and decision_date > today) or (payment and payment.paid_on > today):
        raise TransitionError("a decision or payment cannot be dated in the future")
    problem = date_problem(
        filed_on(application),
        application.decision_date,
        decision_date=decision_date if to_status == ApplicationStatus.APPROVED else None,
        paid_on=payment.paid_on if payment else None,
    )
    if problem:
        raise TransitionError(problem)
    from_status = application.status
    application.status = to_status
    application.status_changed_at = now
    application.updated_at = now
    if to_status == ApplicationStatus.NEEDS_INFO:
        application.info_request = note
    elif from_status == ApplicationStatus.NEEDS_INFO:
        application.info_request = None
    if to_status == ApplicationStatus.APPROVED:
        application.decision_number = decision_number
        application.decision_date = decision_date
        application.approved_amount = amount if amount is not None else application.estimated_amount
    if to_status == ApplicationStatus.REJECTED:
        application.rejection_reason = note
    if payment is not None:
        repo.add_payment(
            session,
            application,
            amount=payment.amount,
            paid_on=payment.paid_on,
            method=payment.method,
            reference=payment.reference,
            actor=actor,
            now=now,
        )
    repo.add_status_event(session, application, from_status, actor=actor, note=note, now=now, protector=protector)
    await session.flush()


def notice_text(application: Application, payment: PaymentInfo | None = None) -> str | None:
    code = app_code.display(application.code)
    status = application.status
    if status == ApplicationStatus.UNDER_REVIEW:
        return _("Your application {code} is being reviewed by the commune People's Committee.").format(code=code)
    if status == ApplicationStatus.NEEDS_INFO:
        return _(
            "The official handling your application {code} asks for more information:\n“{question}”\n"
            "Press “Reply” to answer (you can also send a photo)."
        ).format(code=code, question=application.info_request)
    if status == ApplicationStatus.FORWARDED:
        return _("Your application {code} has been checked by the commune and forwarded to the district.").format(
            code=code
        )
    if status == ApplicationStatus.APPROVED:
        # transition() refuses "approved" without a decision number and date
        assert application.decision_date is not None
        amount = application.approved_amount
        text = _("Your application {code} has been approved by decision {number} of {date}.").format(
            code=code, number=application.decision_number, date=fmt.day(application.decision_date)
        )
        if amount:
            text += " " + _("Amount: {amount}.").format(amount=fmt.vnd(amount))
        return text + " " + _("The commune will pay you and let you know.")
    if status == ApplicationStatus.PAID and payment is not None:
        return _("Your application {code} has been paid: {amount} on {date} ({method}).").format(
            code=code,
            amount=fmt.vnd(payment.amount),
            date=fmt.day(payment.paid_on),
            method=_(METHOD_LABELS.get(payment.method, payment.method)),
        )
    if status == ApplicationStatus.REJECTED:
        return _(
            "Your application {code} was not approved. Reason: {reason}. If you disagree, send a complaint in "
            "“📣 Complaints and feedback” (below), or contact your commune People's Committee."
        ).format(code=code, reason=(application.rejection_reason or "").strip().rstrip("."))
    return None  # withdrawn: the citizen did it and was answered in the chat
