"""The officials' lists (`hotro export`) and the applications a returned list names (`hotro import`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from messages.vocabulary import ApplicationStatus
from storage.models import Application, Official, Payment
from storage.officials import scope

CODE_CHUNK = 500  # codes per IN (...) query

# The list's columns as Core rows rather than ORM entities: for 100,000 applications the identity map and
# instance state cost seconds and hundreds of MiB, and the export changes nothing.
LISTED = (
    Application.id,
    Application.code,
    Application.kind,
    Application.status,
    Application.full_name,
    Application.birth_date,
    Application.birth_date_enc,
    Application.sex,
    Application.phone,
    Application.phone_enc,
    Application.id_number_enc,
    Application.commune_code,
    Application.period_start,
    Application.period_end,
    Application.payment_method,
    Application.bank_name,
    Application.bank_account_enc,
    Application.account_holder,
    Application.fields,
    Application.estimated_amount,
    Application.duplicate_note,
    Application.info_request,
    Application.decision_number,
    Application.decision_date,
    Application.approved_amount,
    Application.rejection_reason,
)
PAID = (Payment.application_id, Payment.amount, Payment.paid_on, Payment.reference)
ListedRow = Row[Any]  # a row of LISTED: the Application attributes the list shows, by the same names
PaidRow = Row[int, int, date, str | None]  # a row of PAID


async def area_list(
    session: AsyncSession, *, role: str, area: int | None, statuses: Sequence[str], kind: str | None
) -> tuple[Sequence[ListedRow], dict[int, PaidRow]]:
    """An area's applications in these statuses (and kind), by commune and date, with each paid one's
    latest payment."""
    area_filter = scope(Official(role=role, area_code=area))  # a transient official: only its filter is used
    conditions = [area_filter, Application.status.in_(list(statuses))]
    if kind is not None:
        conditions.append(Application.kind == kind)
    applications = (
        await session.execute(
            select(*LISTED)
            .where(*conditions)
            .order_by(Application.commune_code, Application.submitted_at, Application.id)
        )
    ).all()
    # The latest payment of each paid application (a join, not IN (...), so a province-wide list works too).
    payments: dict[int, PaidRow] = {}
    for payment in await session.execute(
        select(*PAID)
        .join(Application, Payment.application_id == Application.id)
        .where(*conditions, Application.status == ApplicationStatus.PAID)
        .order_by(Payment.paid_on, Payment.id)
    ):
        payments[payment.application_id] = payment
    return applications, payments


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def locked_by_codes(session: AsyncSession, codes: Iterable[str]) -> dict[str, Application]:
    """The applications with these codes, locked until the commit: a citizen withdrawing meanwhile waits
    instead of being overwritten."""
    found: dict[str, Application] = {}
    for chunk in _chunks(sorted(set(codes)), CODE_CHUNK):
        stmt = select(Application).where(Application.code.in_(list(chunk))).with_for_update()
        for application in (await session.execute(stmt)).scalars():
            found[application.code] = application
    return found
