"""Logging set-up: plain text for the console, JSON lines for servers (HOTRO_LOG_JSON=true).

Log lines carry ids, states and timings, never message text or personal data. The engines hide SQL
parameters (storage/db.py, hide_parameters); the database drivers' own messages can still quote a value
("invalid input syntax for type integer: "…"", "Key (…)=(…) already exists"), so a logged traceback
shows a database error by its class, SQLSTATE and the names of the table, column and constraint only.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Any

from pythonjsonlogger.json import JsonFormatter
from sqlalchemy.exc import StatementError

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
# The drivers' exceptions, and SQLAlchemy's adapters of them (sqlalchemy.dialects.postgresql.asyncpg.Error).
DRIVER_MODULES = ("asyncpg", "psycopg", "sqlite3", "aiosqlite", "sqlalchemy.dialects")


def _driver_error(exc: BaseException) -> bool:
    module = type(exc).__module__
    return any(module == name or module.startswith(name + ".") for name in DRIVER_MODULES)


def _safe_summary(exc: BaseException) -> str:
    """What a database error may say in a log: no message text, which might quote a value."""
    if isinstance(exc, StatementError):
        orig = exc.orig if exc.orig is not None else exc
        return f"({type(orig).__module__}.{type(orig).__qualname__} {_attributes(orig)}) [SQL: {exc.statement}]"
    return _attributes(exc)  # the traceback prints the class itself


def _attributes(exc: BaseException) -> str:
    names = ("sqlstate", "table_name", "column_name", "constraint_name", "sqlite_errorname")
    return " ".join(f"{name}={value}" for name in names if (value := getattr(exc, name, None)))


def _scrub(te: traceback.TracebackException, exc: BaseException | None, seen: set[int], below_db: bool = False) -> None:
    """Replace the text of database errors, and of everything that led to one (a driver's TypeError or
    ValueError can quote the value it could not encode)."""
    if exc is None or id(exc) in seen:
        return
    seen.add(id(exc))
    database = isinstance(exc, StatementError) or _driver_error(exc)
    if database:
        # the text TracebackException.format() prints; private, so typeshed does not declare it
        te._str = _safe_summary(exc)  # type: ignore[attr-defined]
    elif below_db:
        te._str = ""  # type: ignore[attr-defined]
    below = below_db or database
    if te.__cause__ is not None:
        _scrub(te.__cause__, exc.__cause__, seen, below)
    if te.__context__ is not None:
        _scrub(te.__context__, exc.__context__, seen, below)


def safe_exception_text(ei: ExcInfo) -> str:
    te = traceback.TracebackException(*ei, compact=True)
    _scrub(te, ei[1], set())
    return "".join(te.format()).rstrip("\n")


class _Scrubbing:
    """Formatter mix-in: tracebacks without database error messages."""

    def format(self, record: logging.LogRecord) -> str:
        record.exc_text = None  # another handler may have cached the raw text
        return super().format(record)  # type: ignore[misc, no-any-return]

    def formatException(self, ei: Any) -> str:
        return safe_exception_text(ei)


class PlainFormatter(_Scrubbing, logging.Formatter):
    pass


class JsonLineFormatter(_Scrubbing, JsonFormatter):
    pass


def configure(level: int, json_lines: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(PlainFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Bot API call is noise
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl …" on every command is noise too
