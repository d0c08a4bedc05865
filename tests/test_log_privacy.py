"""No SQL parameters and no personal data in a log line, even when a statement carrying them fails."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.app import HoTro
from bot.logs import configure
from storage.models import KeyValue

# ASCII, so that JSON's \u escapes cannot hide a leak from the search.
PHONE, NAME, BIRTH = "0912345678", "Nguyen Van An", "1985-07-05"
log = logging.getLogger("hotro.test")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("json_lines", [False, True], ids=["plain", "json"])
async def test_a_failing_statement_logs_neither_parameters_nor_personal_data(
    app: HoTro, capsys: pytest.CaptureFixture[str], json_lines: bool
) -> None:
    configure(logging.INFO, json_lines)
    async with app.sessions.begin() as session:
        session.add(KeyValue(key=PHONE, value=NAME))
    failures = 0
    try:  # the same key again: a unique violation (PostgreSQL's message quotes the key's value)
        async with app.sessions.begin() as session:
            session.add(KeyValue(key=PHONE, value=f"{NAME} {BIRTH}"))
    except DBAPIError:
        log.exception("statement failed")
        failures += 1
    try:  # PostgreSQL's message quotes the value that is not a number; SQLite casts it without an error
        async with app.db.connect() as conn:
            await conn.execute(
                text("SELECT CAST(:name AS INTEGER) / 0 + length(:birth)"), {"name": NAME, "birth": BIRTH}
            )
            await conn.execute(text("SELECT * FROM no_such_table WHERE phone = :phone"), {"phone": PHONE})
    except DBAPIError:
        log.exception("statement failed")
        failures += 1
    logged = capsys.readouterr().err
    assert failures == 2 and logged.count("statement failed") == 2
    assert "IntegrityError" in logged and "kv_store" in logged  # still says what failed, and where
    for value in (PHONE, NAME, BIRTH):
        assert value not in logged
