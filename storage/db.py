"""Engine, sessions and migrations for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

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


async def ping(engine: AsyncEngine) -> None:
    """One round trip to the database (the health check); raises when it does not answer."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


# The newest migration's revision (storage/migrations/versions/), declared rather than read from the scripts:
# importing Alembic and reading every script cost ~330 ms of CPU, which every command's start paid only to
# find the database up to date. tests/test_structure.py fails when it is not Alembic's head.
HEAD_REVISION = "0014"


def _at_head(connection: Connection) -> bool:
    """Whether the database's revision is the newest, read from Alembic's version table."""
    if not connection.dialect.has_table(connection, VERSION_TABLE):
        return False
    return list(connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()) == [HEAD_REVISION]


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
