"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.files import prepare_sqlite
from storage.sqlite_async import OneTripConnection, one_trip_dbapi

if TYPE_CHECKING:  # Alembic is imported only to migrate (see _upgrade)
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # Alembic's default, where it keeps the database's revision
# A script's `revision = "0012"` and `down_revision = "0011"` (or None) lines, as Alembic's template writes them.
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*=\s*(.+?)\s*$", re.MULTILINE)


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            prepare_sqlite(Path(path))
        # One connection: SQLite has one writer anyway, and waiting in the pool's queue is fair and
        # immediate, where waiting on the file lock polls with growing sleeps (long latency tails).
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 120)
        # hide_parameters: a failing statement's logged error must not carry the citizen's data.
        if url.startswith("sqlite+aiosqlite"):
            kwargs.setdefault("module", one_trip_dbapi())  # one thread round trip per statement, not four
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs)
        _sqlite_setup(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it costs a round trip per turn. A connection dropped by a server restart fails its
    # turn, SQLAlchemy then discards the whole pool, and the webhook answers 503 so the update comes again.
    kwargs.setdefault("pool_pre_ping", False)
    return create_async_engine(url, hide_parameters=True, **kwargs)


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_setup(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so a turn takes the write lock up front.

    pysqlite's deferred transactions would let two turns read the same conversation
    and then fail to upgrade their locks; IMMEDIATE serialises writers instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()
        # SQLite's own lower() folds ASCII letters only ("Đào" stays "Đào"): Python's, as PostgreSQL's
        # lower() does under a UTF-8 locale, so a search by name ignores the case of Vietnamese letters.
        dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        dbapi_conn = conn.connection.dbapi_connection
        if isinstance(dbapi_conn, OneTripConnection):
            dbapi_conn.begin_with_next_statement("BEGIN IMMEDIATE")  # no round trip of its own
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@cache
def _head() -> str | None:
    """The newest revision, from the scripts' `revision` and `down_revision` lines; None (Alembic then decides)
    unless they make one line of revisions. Importing Alembic and its reading of the scripts cost ~130 ms of CPU,
    which every command's start paid to find the database up to date."""
    revises: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        if path.name.startswith("__"):
            continue  # Alembic skips __init__.py too
        found = _REVISION_LINE.findall(path.read_text(encoding="utf-8"))
        try:
            values = {name: ast.literal_eval(value) for name, value in found}
        except (ValueError, SyntaxError):
            return None
        revision, down = values.get("revision"), values.get("down_revision")
        if len(found) != 2 or not isinstance(revision, str) or not isinstance(down, str | None) or revision in revises:
            return None
        revises[revision] = down
    downs = set(revises.values())
    heads = [revision for revision in revises if revision not in downs]
    if len(heads) != 1 or len(downs) != len(revises) or None not in downs:
        return None  # a branch, a merge or a loop: not one line
    return heads[0]


def _at_head(connection: Connection) -> bool:
    """Whether the database's revision is the newest, read as Alembic's MigrationContext reads it."""
    head = _head()
    if head is None or not connection.dialect.has_table(connection, VERSION_TABLE):
        return False
    return list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()) == [head]


def _upgrade(connection: Connection, revision: str) -> None:
    if revision == "head" and _at_head(connection):
        return  # up to date, the usual start: without Alembic, env.py or any migration
    from alembic import command

    if connection.dialect.name == "postgresql":
        # Several processes may start together: one migrates, the others wait.
        connection.execute(text("SELECT pg_advisory_xact_lock(684021)"))
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations on the given engine (run on every start)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)
