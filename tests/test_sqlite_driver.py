"""The SQLite driver (storage/sqlite_async.py): one aiosqlite round trip per statement, same results.

The engine is the real one make_engine builds, on a real SQLite file; the trips are counted where
aiosqlite hands each call to its thread (Connection._execute), without changing what it does.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import make_engine, session_factory
from storage.sqlite_async import OneTripConnection
from tests.chat import Chat

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String, unique=True))


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()
    original = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        counted[getattr(fn, "__name__", "?")] += 1
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    yield counted


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def test_the_driver_is_the_one_trip_adapter(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.dbapi_connection, OneTripConnection)


async def test_a_transaction_of_two_statements_costs_three_round_trips(
    engine: AsyncEngine, trips: Counter[str]
) -> None:
    async with engine.connect():  # the pool's connection is open before counting
        pass
    trips.clear()
    async with engine.begin() as conn:
        await conn.execute(insert(notes).values(body="a"))
        assert (await conn.execute(select(notes.c.body))).scalars().all() == ["a"]
    # BEGIN travels with the INSERT, the SELECT's rows come with it, and after the commit the pool
    # does not roll back a transaction that has ended. SQLAlchemy's own adapter made 10 trips here.
    assert sum(trips.values()) == 3, trips
    assert trips["commit"] == 1


async def test_begin_immediate_holds_the_write_lock_from_the_first_statement(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    """A read alone takes no write lock under a deferred BEGIN (WAL lets another writer in): only
    BEGIN IMMEDIATE makes the other connection wait, so this proves it is still sent first."""
    with contextlib.closing(sqlite3.connect(tmp_path / "driver.db", timeout=0)) as other:
        async with engine.begin() as conn:
            await conn.execute(select(notes.c.id))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO notes (body) VALUES ('other')")
        other.execute("INSERT INTO notes (body) VALUES ('other')")  # free again after the commit
        other.commit()


async def test_results_counts_and_ids_are_those_of_sqlite(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        returned = (
            await session.execute(
                insert(notes).returning(notes.c.id, sort_by_parameter_order=True), [{"body": "x"}, {"body": "y"}]
            )
        ).scalars()
        assert list(returned) == [1, 2]
        inserted = await session.execute(insert(notes).values(body="z"))
        assert inserted.inserted_primary_key == (3,)  # lastrowid
        many = await session.execute(insert(notes), [{"body": "m1"}, {"body": "m2"}])  # executemany
        assert many.rowcount == 2  # type: ignore[attr-defined]
        changed = await session.execute(update(notes).where(notes.c.id <= 2).values(body=notes.c.body + "!"))
        assert changed.rowcount == 2  # type: ignore[attr-defined]
        rows = (await session.execute(text("SELECT id, body FROM notes ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [(1, "x!"), (2, "y!"), (3, "z"), (4, "m1"), (5, "m2")]
        assert (await session.execute(select(notes.c.id).where(notes.c.body == "none"))).first() is None
        streamed = await session.stream(select(notes.c.body).order_by(notes.c.id))  # a server-side cursor
        assert [body async for body in streamed.scalars()] == ["x!", "y!", "z", "m1", "m2"]


async def test_a_failed_statement_raises_and_its_transaction_rolls_back(engine: AsyncEngine) -> None:
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(insert(notes).values(body="kept?"))
            await conn.execute(insert(notes).values(body="kept?"))  # the unique body
    with pytest.raises(OperationalError):
        async with engine.begin() as conn:
            await conn.execute(insert(notes).values(body="gone"))
            await conn.execute(text("SELECT no_such_column FROM notes"))
    async with engine.begin() as conn:  # the connection is usable, and nothing of either stayed
        assert (await conn.execute(select(notes.c.body))).all() == []
        await conn.execute(insert(notes).values(body="kept"))
    async with engine.connect() as conn:
        assert (await conn.execute(select(notes.c.body))).scalars().all() == ["kept"]


async def test_a_transaction_without_statements_and_a_rollback_leave_nothing_open(engine: AsyncEngine) -> None:
    async with engine.begin():
        pass
    async with engine.connect() as conn:
        await conn.execute(insert(notes).values(body="rolled back"))
        await conn.rollback()
    async with engine.begin() as conn:  # BEGIN IMMEDIATE would fail inside a transaction left open
        await conn.execute(insert(notes).values(body="after"))
    async with engine.connect() as conn:
        assert (await conn.execute(select(notes.c.body))).scalars().all() == ["after"]


async def test_a_returning_users_turn_costs_few_round_trips(app: Any, trips: Counter[str]) -> None:
    if app.db.dialect.name != "sqlite":
        pytest.skip("aiosqlite round trips")
    chat = Chat(app)
    await chat.say("/start")
    await app.sender.flush_marks()
    trips.clear()
    assert await chat.say("/menu")
    # BEGIN + claim, open the turn, save the conversation, the outbox INSERT, commit: 5. SQLAlchemy's
    # adapter made 3 or 4 per statement (cursor, execute, fetch, close) and a rollback on return: 19.
    assert sum(trips.values()) <= 6, trips
