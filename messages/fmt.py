"""Amounts and dates as a Vietnamese reader expects them (Babel, vi_VN, Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import re
from collections.abc import Mapping
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


# `{name}` or `{vnd:3000000}` in the Vietnamese data files (policies, knowledge, provinces).
_PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::(\d+))?\}")


def render_placeholders(text: str, context: Mapping[str, str], where: str, error: type[ValueError]) -> str:
    """Fill `{name}` from context and `{vnd:N}` with a formatted amount; reject anything else.

    The template is checked, not the output: a hotline or a province's text may hold any character.
    """
    rest = _PLACEHOLDER.sub("", text)
    if "{" in rest or "}" in rest:
        raise error(f"{where}: stray brace in text")

    def repl(m: re.Match[str]) -> str:
        name, arg = m.group(1), m.group(2)
        if name == "vnd" and arg is not None:
            return vnd(int(arg))
        if arg is None and name in context:
            return context[name]
        raise error(f"{where}: unknown placeholder {m.group(0)!r}")

    return _PLACEHOLDER.sub(repl, text)
