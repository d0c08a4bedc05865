"""Wiring that the feature folders rely on: one question handler for the whole router, no SQL outside storage/,
and what starting a command costs: a library that only some commands need is imported where it is used
(handlers/posting/files.py imports fpdf2 only to write a PDF), so every `hotro` command, test worker and
subprocess starts without it."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.app import FIRST_USE_LIBRARIES
from handlers.ask.questions.answer import answer
from handlers.router import Router
from handlers.routes import build_router
from handlers.turn import CoreState
from storage import db as storage_db
from tests.commands import migrated_url

__all__ = ["migrated_url"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("bot", "handlers", "storage", "messages")

# Libraries that starting a command (its imports, the argument parser, the migration check on a database that
# is up to date) must not load: each costs from ~5 ms (aiosmtplib) to ~190 ms (openpyxl with numpy and lxml)
# of CPU per process. numpy and lxml come with openpyxl; mako and pygments with Alembic.
NOT_AT_START = (
    "fpdf",
    "openpyxl",
    "numpy",
    "lxml",
    "vietnam_provinces.enums",
    "alembic",
    "mako",
    "pygments",
    "prometheus_client",
    "email_validator",
    "PIL",
    "zxingcpp",
    "holidays",
    "aiosmtplib",
    "babel.messages",
)
# Imported where they are used, and not loaded by bot.app.settle_heap (FIRST_USE_LIBRARIES) for a server:
NOT_WARMED = {
    "fpdf": "the posting list's PDF only (handlers.posting.files)",
    "alembic": "migrating, which a server does before it settles its heap",
    "email_validator": "an address given to `hotro officials` or `hotro report`",
    "babel.messages": "compiling a catalog older than its .po, at the first translation",
    "prometheus_client": "the metrics, which create_app makes",
    "sklearn": "the question classifier and the passages, which settle_heap builds",
    "aiosqlite": "the SQLite driver, which make_engine loads at start for a SQLite database (not on PostgreSQL)",
}


def test_the_question_handler_is_the_ask_features_and_only_one_may_be_registered() -> None:
    router = build_router()
    assert router.question is answer
    specs = {state: router.spec_for(state) for state in (CoreState.MENU, "apply.choose", "lookup.code", "lookup.id")}
    assert all(spec is not None for spec in specs.values())
    asks = {state: spec.questions is not None for state, spec in specs.items() if spec is not None}
    # The menu hands typed text to the question handler itself; the ID digits are never a question.
    assert asks == {CoreState.MENU: False, "apply.choose": True, "lookup.code": True, "lookup.id": False}
    other = Router()
    other.question = answer
    with pytest.raises(ValueError, match="question handler"):
        router.include(other)


def _within(module: str, names: Iterable[str]) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in names)


def _imported_in_functions() -> Iterator[tuple[str, str]]:
    """(where, module) for each library that the project's code imports inside a function."""
    for package in PROJECT:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import):
                        modules = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        modules = [node.module]
                    else:
                        continue
                    for module in modules:
                        top = module.split(".")[0]
                        if top not in PROJECT and top not in sys.stdlib_module_names:
                            yield f"{path.relative_to(ROOT)}:{node.lineno}", module


def test_starting_a_command_loads_no_library_that_only_some_commands_need(migrated_url: str) -> None:
    probe = (
        "import asyncio, contextlib, gc, io, sys, bot.cli, handlers.posting.files\n"
        "from storage.db import make_engine, migrate\n"
        "async def check(url):\n"
        "    engine = make_engine(url)\n"
        "    await migrate(engine)\n"
        "    await engine.dispose()\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    bot.cli.main(['--help'])\n"
        "frozen = gc.get_freeze_count()\n"
        "asyncio.run(check(sys.argv[1]))\n"
        "print(frozen, ' '.join(sorted(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", probe, migrated_url], capture_output=True, text=True, check=True)
    frozen, *modules = result.stdout.split()
    loaded = set(modules)
    assert "bot.cli" in loaded and "sqlalchemy" in loaded
    # main() moves what the imports made out of the garbage collector's reach (its walks cost ~250 ms at exit).
    assert int(frozen) > 50_000
    assert sorted(m for m in loaded if _within(m, NOT_AT_START)) == []
    # What the code imports on first use, a server loads before its first citizen (bot.app.settle_heap), unless
    # it is loaded at start anyway, or no server needs it after starting.
    cold = [
        (where, module)
        for where, module in _imported_in_functions()
        if module not in loaded
        and not _within(module, FIRST_USE_LIBRARIES)
        and not any(name.startswith(f"{module}.") for name in FIRST_USE_LIBRARIES)  # a package of one
        and not _within(module, NOT_WARMED)
    ]
    assert cold == []


def test_a_server_warms_up_before_its_first_update_unless_told_not_to(migrated_url: str, tmp_path: Path) -> None:
    """`serve` trains the question classifier (scikit-learn) before serving; HOTRO_WARM_START=false skips it."""
    probe = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from bot.config import Settings\n"
        "from bot.server import serve\n"
        "from tests.net import free_port\n"
        "async def once(warm):\n"
        "    stop = asyncio.Event()\n"
        "    stop.set()  # shut down as soon as it has started\n"
        "    url, data = sys.argv[1], Path(sys.argv[2])\n"
        "    key = 'k' * 44  # PostgreSQL needs a given key\n"
        "    settings = Settings(_env_file=None, database_url=url, data_dir=data, data_key=key, warm_start=warm)\n"
        "    await serve(settings, free_port(), stop)\n"
        "    return 'sklearn' in sys.modules\n"
        "print(asyncio.run(once(False)), asyncio.run(once(True)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, migrated_url, str(tmp_path)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.stdout.split() == ["False", "True"], result.stderr[-2000:]


def test_the_declared_head_revision_is_alembics() -> None:
    """A new migration bumps storage.db.HEAD_REVISION: otherwise a database one behind passes for up to date."""
    assert ScriptDirectory.from_config(storage_db.alembic_config()).get_current_head() == storage_db.HEAD_REVISION


async def test_a_database_behind_the_newest_revision_is_still_migrated(tmp_path: Path) -> None:
    engine = storage_db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await storage_db.migrate(engine, "0011")
        await storage_db.migrate(engine)
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    finally:
        await engine.dispose()
    assert versions == [storage_db.HEAD_REVISION]


# What bot/ and handlers/ may take from SQLAlchemy: sessions and engines to hand to repositories, the errors
# they catch, and URL parsing. Statements (select, update, text, and_, func, …) are built in storage/.
SQLALCHEMY_ALLOWED = {
    "sqlalchemy.ext.asyncio",
    "sqlalchemy.exc",
    ("sqlalchemy", "make_url"),
    ("sqlalchemy.engine", "make_url"),
}


def test_bot_and_handlers_write_no_sql() -> None:
    found = []
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
                    if node.module in SQLALCHEMY_ALLOWED:
                        continue
                    found += [
                        f"{where} {node.module}.{a.name}"
                        for a in node.names
                        if (node.module, a.name) not in SQLALCHEMY_ALLOWED
                    ]
                elif isinstance(node, ast.Import):
                    found += [f"{where} {a.name}" for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
                elif isinstance(node, ast.Attribute) and node.attr in ("execute", "scalar", "scalars", "stream"):
                    found.append(f"{where} .{node.attr}()")
    assert found == []
