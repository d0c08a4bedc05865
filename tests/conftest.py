"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when
HOTRO_TEST_DATABASE_URL is set, as CI does) and a wired HoTro app.

The database is migrated once per session (tests/databases.py). A test that uses `db_url` without
`settings` starts the bot itself (a subprocess, a CLI command): it gets an empty database, which
that first start migrates, as before. With `settings`, the migrated database is at one path per process
(not in tmp_path), and `app` reuses one engine per process: see tests/databases.py. A test that
calls create_app itself gets a new engine, as production does."""

from __future__ import annotations

import gc
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import HoTro, create_app
from bot.config import Settings
from bot.web import build_web_app
from tests.databases import PostgresDatabase, SqliteDatabase, SqliteTemplate
from tests.fakes.telegram_api import FakeTelegram

PG_URL = os.environ.get("HOTRO_TEST_DATABASE_URL")
TEST_KEY = "test-data-key-" + "k" * 32  # PostgreSQL needs a given key; SQLite tests create theirs


def pytest_configure(config: pytest.Config) -> None:
    """The collector's young generation at 50 000 allocations instead of CPython's 700: the suite allocates
    fast and keeps little (ORM rows, updates, reports), and over a heap holding SQLAlchemy, numpy and
    scikit-learn the frequent collections cost CPU (`pytest`, two workers: 64 s of user CPU with the
    default, 59-61 s with this, in alternating runs; no collection at all did no better)."""
    gc.set_threshold(50_000, 10, 10)


@pytest.fixture(scope="session")
def postgres() -> PostgresDatabase | None:
    """Under pytest-xdist (`-n`), each worker ("gw0", "gw1", …) gets a database of its own."""
    return PostgresDatabase(PG_URL, os.environ.get("PYTEST_XDIST_WORKER")) if PG_URL else None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory, sqlite_template: SqliteTemplate) -> SqliteDatabase:
    return SqliteDatabase(sqlite_template, tmp_path_factory.mktemp("database"))


@pytest.fixture
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, postgres: PostgresDatabase | None) -> str:
    migrated = "settings" in request.fixturenames
    if postgres:
        await postgres.reset(empty=not migrated)
        return postgres.url
    if migrated:
        database: SqliteDatabase = request.getfixturevalue("sqlite_database")
        await database.reset()
        return database.url
    return f"sqlite+aiosqlite:///{tmp_path / 'hotro.db'}"


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    """Read once per process (pydantic-settings' sources cost ~2.6 ms of CPU per Settings); the tests'
    settings are copies of it. Nothing sets HOTRO_* variables while the tests run."""
    return Settings(_env_file=None, data_key=TEST_KEY if PG_URL else None)  # type: ignore[call-arg]


@pytest.fixture
def settings(base_settings: Settings, db_url: str, tmp_path: Path) -> Settings:
    # model_copy does not validate: the values are of the fields' types already. Deep: a test that changes
    # a nested setting in place (`app.settings.free_worker.mode = …`) must not change it for the tests after.
    return base_settings.model_copy(update={"database_url": db_url, "data_dir": tmp_path}, deep=True)


@pytest.fixture
async def app(
    request: pytest.FixtureRequest, settings: Settings, postgres: PostgresDatabase | None
) -> AsyncIterator[HoTro]:
    shared = postgres or request.getfixturevalue("sqlite_database")
    # A module's own `settings` fixture may point elsewhere: then the app makes its own engine.
    db = shared.engine if settings.sqlalchemy_url() == shared.url else None
    hotro = await create_app(settings, db=db)
    yield hotro
    await hotro.close()


@pytest.fixture
async def web(app: HoTro) -> AsyncIterator[TestClient]:
    """The web console (and the rest of `hotro serve`'s app, without a Bot) on loopback."""
    client = TestClient(TestServer(build_web_app(app), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = await FakeTelegram().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def client(app: HoTro, fake_telegram: FakeTelegram) -> AsyncIterator[TestClient]:
    """`hotro serve`'s web app (webhooks) on loopback, its Bot talking to the fake Bot API."""
    bot = fake_telegram.bot()
    await bot.initialize()  # getMe: the bot's username, to tell its commands from other bots'
    test_client = TestClient(TestServer(build_web_app(app, bot), host="127.0.0.1"))
    await test_client.start_server()
    yield test_client
    await test_client.close()
    await bot.shutdown()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    """Each phase's report on the test item (rep_setup, rep_call): the browser tests' fixture saves a
    screenshot when the test failed."""
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report
