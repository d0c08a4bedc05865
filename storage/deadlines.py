"""Deadlines from the seeds: the commune reviews within 3 working days; payment within 7 days of approval;
the decision and its list are posted publicly within 5 days of the decision (seed 002, III.5). Complaints
are acknowledged and answered within a deployment's number of working days (bot.config.Settings).

Working days skip weekends and Vietnamese public holidays (the `holidays` package).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from messages import fmt
from messages.vocabulary import ApplicationStatus
from storage.models import Application

REVIEW_WORKING_DAYS = 3
PAYMENT_DAYS = 7
POSTING_DAYS = 5  # "chậm nhất là 05 ngày, kể từ ngày Quyết định được ban hành": calendar days


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    import holidays  # here, not at the top: ~20 ms of CPU that only a deadline needs (settle_heap loads it)

    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (the day it was received does not count)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def review_due(application: Application) -> date:
    return add_working_days(fmt.local(application.submitted_at).date(), REVIEW_WORKING_DAYS)


def payment_due(application: Application) -> date | None:
    approved_on = application.decision_date
    if approved_on is None and application.status_changed_at is not None:
        approved_on = fmt.local(application.status_changed_at).date()
    return approved_on + timedelta(days=PAYMENT_DAYS) if approved_on else None


def deadline(application: Application) -> date | None:
    """The deadline now running: the review's while it awaits review, the payment's once approved, else None."""
    if application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        return review_due(application)
    if application.status == ApplicationStatus.APPROVED:
        return payment_due(application)
    return None


def overdue(application: Application, today: date) -> str | None:
    """'review' or 'payment' when the application is past its deadline, else None."""
    if application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW) and today > review_due(
        application
    ):
        return "review"
    if application.status == ApplicationStatus.APPROVED:
        due = payment_due(application)
        if due is not None and today > due:
            return "payment"
    return None


def posting_due(decision_date: date) -> date:
    return decision_date + timedelta(days=POSTING_DAYS)


def complaint_dues(received_on: date, ack_working_days: int, answer_working_days: int) -> tuple[date, date]:
    """(acknowledge by, answer by) for a complaint received on a local day, in working days."""
    return add_working_days(received_on, ack_working_days), add_working_days(received_on, answer_working_days)
