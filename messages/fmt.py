"""Amounts and dates as a Vietnamese reader expects them (Babel, vi_VN, Asia/Ho_Chi_Minh)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE = "vi_VN"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def vnd(amount: int) -> str:
    """3000000 -> '3.000.000 ₫' (with Babel's non-breaking space)."""
    return format_currency(amount, "VND", locale=LOCALE)


def number(value: int | float) -> str:
    return format_decimal(value, locale=LOCALE)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is read as UTC (that is how we store them)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(TZ)


def day(value: date | datetime) -> str:
    """dd/MM/yyyy; a datetime is shown in Vietnam's time zone."""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, "dd/MM/yyyy", locale=LOCALE)


def moment(value: datetime) -> str:
    """HH:mm dd/MM/yyyy in Vietnam's time zone."""
    return format_datetime(as_utc(value), "HH:mm dd/MM/yyyy", tzinfo=TZ, locale=LOCALE)


def today_local(now: datetime | None = None) -> date:
    return local(now or datetime.now(UTC)).date()
