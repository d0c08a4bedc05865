"""Test databases that are migrated once per session instead of once per test.

SQLite: one template file is migrated to head, and each test gets a copy of it (a file copy costs
well under a millisecond, the migration chain about 100 ms).
PostgreSQL: the one database of HOTRO_TEST_DATABASE_URL is migrated once, and emptied between tests
with DELETE and a sequence reset (on this machine: 4 ms a test, where TRUNCATE took 230 ms, a
CREATE DATABASE … TEMPLATE and DROP 670 ms, and DROP SCHEMA + migrate 200 ms; the small tables make
DELETE cheap, where TRUNCATE and CREATE DATABASE create and sync new files).
A test that starts the bot on an empty database (a first start: it migrates) asks for `empty=True`.

One engine per process serves every test's `app` (`SqliteDatabase.engine`, `PostgresDatabase.engine`),
so SQLAlchemy's compiled-statement cache, which lives on the engine and is keyed by its dialect, stays
warm: with a new engine per test, one household application submitted through the chat cost 161 ms of
CPU instead of 124 ms, the difference compiling statements again. That is why the SQLite tests share one
database path per process: an engine is bound to its URL. The app's close() disposes the engine (its
connections, which belong to the test's event loop); a disposed engine connects again when used.

Under pytest-xdist each worker has its own database: the URL's database name with the worker id appended
(`test` -> `test_gw0`), created on first use from a connection to the URL's own database. SQLite needs
nothing: each worker has its own temporary directory.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import asyncpg
from sqlalchemy import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import VERSION_TABLE, make_engine, migrate
from storage.files import prepare_sqlite
from storage.models import Base


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        await migrate(engine)
    finally:
        await engine.dispose()


class SqliteTemplate:
    """A migrated database file, made on first use, copied for each test."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "hotro.db"
        self._ready = False

    async def copy_to(self, target: Path) -> None:
        if not self._ready:
            await _migrate(f"sqlite+aiosqlite:///{self.path}")
            # Fold the WAL into the file and leave WAL mode, so the file alone is the whole database
            # (make_engine turns WAL on again when a test connects, as on a fresh file).
            with contextlib.closing(sqlite3.connect(self.path)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.execute("PRAGMA journal_mode=DELETE")
            left = [p.name for p in self.path.parent.iterdir() if p.name != self.path.name]
            if left:
                raise RuntimeError(f"the template database left {left} beside it")
            self._ready = True
        shutil.copyfile(self.path, target)


def _release(engine: AsyncEngine) -> None:
    """Forget connections a test left in the pool (its app was not closed): they belong to that test's
    event loop, so they are dropped, not closed here. After the app's close() the pool is empty anyway."""
    engine.sync_engine.dispose(close=False)


class SqliteDatabase:
    """The database of the tests that ask for `settings`: one path per process, the template copied over
    it before each test (with whatever the previous test left beside it, the key file too, removed first).

    Removed, not overwritten: a connection a test leaked keeps its own (deleted) file instead of seeing
    this one change under it."""

    def __init__(self, template: SqliteTemplate, directory: Path) -> None:
        self.path = directory / "hotro.db"
        self.url = f"sqlite+aiosqlite:///{self.path}"
        self._template = template
        self.engine = make_engine(self.url)

    async def reset(self) -> None:
        _release(self.engine)
        for path in self.path.parent.iterdir():
            path.unlink()
        await self._template.copy_to(self.path)
        prepare_sqlite(self.path)  # 0600, as make_engine leaves a database file it opens


def _dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresDatabase:
    """The test database, migrated once and emptied before each test.

    `worker` (pytest-xdist's worker id, such as "gw0") gives this process a database of its own."""

    def __init__(self, url: str, worker: str | None = None) -> None:
        given = make_url(url)
        self._given_dsn = _dsn(given)
        self._worker_database = f"{given.database}_{worker}" if worker else None
        chosen = given.set(database=self._worker_database) if self._worker_database else given
        self.url = chosen.render_as_string(hide_password=False)
        self.dsn = _dsn(chosen)
        self._created = self._worker_database is None
        self._empty_all: str | None = None  # the DELETE + sequence reset; None: not at head
        self.engine = make_engine(self.url)  # connects on first use

    async def _create(self) -> None:
        """The worker's database, made once from a connection to the URL's own database."""
        conn = await asyncpg.connect(self._given_dsn)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", self._worker_database)
            if not exists:
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # a worker of a parallel run won
                    await conn.execute(f'CREATE DATABASE "{self._worker_database}"')
        finally:
            await conn.close()
        self._created = True

    async def reset(self, *, empty: bool = False) -> None:
        _release(self.engine)
        if not self._created:
            await self._create()
        if empty or self._empty_all is None:
            await self._drop_schema()
            self._empty_all = None
            if empty:
                return
            await _migrate(self.url)
            self._empty_all = await self._statement()
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(self._empty_all)
        finally:
            await conn.close()

    async def _drop_schema(self) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
        finally:
            await conn.close()

    async def _statement(self) -> str:
        """DELETE from every table, children first, and restart every sequence, in one transaction."""
        conn = await asyncpg.connect(self.dsn)
        try:
            tables = {
                r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            sequences = [
                r["sequencename"]
                for r in await conn.fetch("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
            ]
        finally:
            await conn.close()
        ordered = [t.name for t in reversed(Base.metadata.sorted_tables)]
        unknown = tables - set(ordered) - {VERSION_TABLE}
        if unknown:
            raise RuntimeError(f"tables the migrations create but storage.models does not know: {sorted(unknown)}")
        parts = [f'DELETE FROM "{name}"' for name in ordered if name in tables]
        parts += [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
        return "BEGIN; " + "; ".join(parts) + "; COMMIT"
