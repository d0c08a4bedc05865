"""The personal-data key: where it comes from, whether it is the one the data was encrypted with, rotation.

The database records the key's id (DataProtector.key_id, a keyed hash: never the key) in `data_keys`.
A process refuses to start, creating nothing, when its key has another id, or when it has no key while
encrypted data exists. Only an SQLite database may create a key, next to its file; PostgreSQL servers
share one database, so they must all be given the same key (HOTRO_DATA_KEY or HOTRO_DATA_KEY_FILE).
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from messages.i18n import _
from storage import data_keys, files
from storage.crypto import MIN_KEY_CHARS, DataProtector, DecryptionError, load_or_create_key
from storage.db import make_engine, migrate, session_factory

log = logging.getLogger(__name__)

KEY_FILE_NAME = "hotro.key"


class DataKeyProblem(SystemExit):
    """A key that is missing, unusable or not the data's: a short message for the operator, no traceback."""


@dataclass(frozen=True)
class KeySource:
    key: str | None  # None: not found (an SQLite database may then create it at `path`)
    where: str  # how the operator names it: "HOTRO_DATA_KEY" or a file path
    path: Path | None  # the key file, when the key is (or would be) one


def sqlite_path(url: str) -> Path | None:
    """The database file of an SQLite URL (None for PostgreSQL or an in-memory database)."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


def find_key(settings: Settings) -> KeySource:
    """The configured key, or the SQLite database's key file; nothing is created here."""
    if settings.data_key is not None:
        return KeySource(_checked(settings.data_key, "HOTRO_DATA_KEY"), "HOTRO_DATA_KEY", None)
    if settings.data_key_file is not None:
        path = settings.data_key_file
        if not path.is_file():
            raise DataKeyProblem(
                _(
                    "HOTRO_DATA_KEY_FILE is {path}, but there is no such file. Set it to the file holding the key."
                ).format(path=path)
            )
        return KeySource(_checked(path.read_text(encoding="utf-8"), str(path)), str(path), path)
    database = sqlite_path(settings.sqlalchemy_url())
    if database is None:
        raise DataKeyProblem(
            _(
                "No data key: a PostgreSQL database needs one. Set HOTRO_DATA_KEY (at least {n} random characters) "
                "or HOTRO_DATA_KEY_FILE (a file holding it), the same on every server."
            ).format(n=MIN_KEY_CHARS)
        )
    path = (database.parent / KEY_FILE_NAME).absolute()  # the operator sees where it was looked for
    key = _checked(path.read_text(encoding="utf-8"), str(path)) if path.is_file() else None
    return KeySource(key, str(path), path)


def _checked(key: str, where: str) -> str:
    key = key.strip()
    if len(key) < MIN_KEY_CHARS:
        raise DataKeyProblem(
            _(
                "The data key in {where} is empty or too short ({length} characters; at least {n} random "
                "characters are needed). Create one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            ).format(where=where, length=len(key), n=MIN_KEY_CHARS)
        )
    return key


async def _stored(db: AsyncEngine) -> tuple[str | None, bool]:
    async with db.connect() as conn:
        return await conn.run_sync(data_keys.stored_state)


async def _sample_decrypts(db: AsyncEngine, protector: DataProtector) -> bool:
    """Data encrypted before key ids were recorded: does this key open it?"""
    async with db.connect() as conn:
        token = await data_keys.sample_token(conn)
    if token is None:
        return True
    try:
        protector.decrypt(token, context="id_number")
    except DecryptionError:
        return False
    return True


def _mismatch(source: KeySource, found: str, stored: str) -> DataKeyProblem:
    return DataKeyProblem(
        _(
            "The data key from {where} (id {found}) is not the key the stored data was encrypted with (id {stored}). "
            "Set HOTRO_DATA_KEY or HOTRO_DATA_KEY_FILE to that key (restore it from the backup); nothing was changed."
        ).format(where=source.where, found=found, stored=stored)
    )


async def open_database(settings: Settings, db: AsyncEngine | None = None) -> tuple[AsyncEngine, DataProtector]:
    """The migrated database and the checked protector, for every command that reads personal data.

    A bad key is refused before the database is opened; a key that is not the data's, before migrations.
    `db`: an engine already made (storage.db.make_engine) for this database, used instead of a new one: the
    tests keep one per process so that SQLAlchemy's compiled-statement cache, which lives on the engine,
    stays warm. It is disposed, never closed for good, on failure and by HoTro.close(), as a new one would be."""
    source = find_key(settings)
    url = settings.sqlalchemy_url()
    if db is not None and db.url != make_url(url):
        raise ValueError(f"the engine given is for {db.url!r}, the settings' database is {make_url(url)!r}")
    database = sqlite_path(url)
    fresh = database is not None and not database.exists()
    if database is not None and database.parent.resolve() == settings.data_dir.resolve():
        files.private_dir(settings.data_dir)
    if db is None:
        db = make_engine(url)
    try:
        protector = await open_protector(db, source, fresh=fresh)
        await migrate(db)
        await record_key_id(db, protector, source.where)
    except BaseException:
        await db.dispose()
        raise
    return db, protector


async def open_protector(db: AsyncEngine, source: KeySource, *, fresh: bool) -> DataProtector:
    """The checked protector for `db`; `fresh`: a new SQLite file, with nothing to compare with."""
    stored, has_data = (None, False) if fresh else await _stored(db)
    key = source.key
    if key is None:
        if stored is not None or has_data:
            raise DataKeyProblem(
                _(
                    "The database holds encrypted personal data (key id {stored}), but no data key was found: neither "
                    "HOTRO_DATA_KEY, nor HOTRO_DATA_KEY_FILE, nor the file {path}. Restore the key from the backup "
                    "and set one of them; nothing was changed."
                ).format(stored=stored or "?", path=source.where)
            )
        assert source.path is not None  # find_key only leaves the key out for an SQLite database
        files.private_dir(source.path.parent)
        key = load_or_create_key(source.path)
        # Whoever ran the first `hotro chat` reads this line: an official, so in Vietnamese like the CLI.
        log.warning(
            _(
                "Created the personal-data key at {path}. Back it up with the database: without it, stored ID "
                "numbers and bank accounts cannot be read."
            ).format(path=source.path.resolve())
        )
    protector = DataProtector(key)
    if stored is not None and stored != protector.key_id:
        raise _mismatch(source, protector.key_id, stored)
    if stored is None and has_data and not await _sample_decrypts(db, protector):
        raise _mismatch(source, protector.key_id, "?")
    if source.path is not None:
        try:
            files.private_file(source.path)
        except PermissionError:  # a key file the operator owns (HOTRO_DATA_KEY_FILE): theirs to protect
            log.warning("could not make the key file %s private (chmod 600); check its permissions", source.path)
    return protector


async def record_key_id(db: AsyncEngine, protector: DataProtector, source_where: str = "") -> None:
    """Record the key's id on first use; a process that raced in with another key refuses to go on.

    The first use of a database from before key ids (and sealing) also seals the conversation data and
    outbox payloads it holds in clear, in the same transaction: so this happens exactly once."""
    async with session_factory(db).begin() as session:
        if await data_keys.record(session, protector.key_id, datetime.now(UTC)):
            await data_keys.reseal(session, protector, protector)
            await data_keys.seal_people(session, protector)
        stored = await data_keys.recorded(session)
    if stored != protector.key_id:
        raise _mismatch(KeySource(None, source_where or "?", None), protector.key_id, stored)
    async with session_factory(db).begin() as session:
        # Rows from before the name + birth date index (an indexed IS NULL look-up: nothing to do once filled).
        await data_keys.index_people(session, protector)
        await data_keys.seal_once(session, protector, datetime.now(UTC))


# ---- rotation -------------------------------------------------------------------------------------
def new_key_file(path: Path) -> str:
    """The key in `path`, created (random, 0600) when the file does not exist yet."""
    files.private_dir(path.parent)
    key = load_or_create_key(path)
    files.private_file(path)
    return _checked(key, str(path))


async def run_rotate(settings: Settings, args: argparse.Namespace) -> None:
    """`hotro rotate-key`: every server stopped, re-encrypt under a new key in one transaction."""
    source = find_key(settings)
    db, old = await open_database(settings)  # bot.database.open_db(key=True) is built on this one
    try:
        generated_default = settings.data_key is None and settings.data_key_file is None
        if args.new_key_file:
            target, replaces = Path(args.new_key_file), None
        elif generated_default and source.path is not None:
            # The SQLite default: the new key takes the old file's place once the transaction has committed.
            target, replaces = source.path.with_name(KEY_FILE_NAME + ".new"), source.path
        else:
            raise DataKeyProblem(
                _("Give --new-key-file PATH: the new key is created there (or read from it, if the file exists).")
            )
        new = DataProtector(new_key_file(target))
        if new.key_id == old.key_id:
            raise DataKeyProblem(_("The new key is the key in use; nothing was changed."))
        async with session_factory(db).begin() as session:
            counts = await data_keys.rotate(session, old, new, datetime.now(UTC))
        if replaces is not None:
            os.replace(target, replaces)
    finally:
        await db.dispose()
    print(
        _(
            "Re-encrypted {applications} applications, {conversations} conversations and {messages} messages "
            "under the new key (id {key_id})."
        ).format(
            applications=counts.applications,
            conversations=counts.conversations,
            messages=counts.messages,
            key_id=new.key_id,
        )
    )
    if replaces is None:
        print(
            _(
                "Now set HOTRO_DATA_KEY_FILE={path} (or HOTRO_DATA_KEY to its content) on every server, back the key "
                "up, then start the servers again."
            ).format(path=target)
        )
    else:
        print(_("The new key is in {path}: back it up with the database.").format(path=replaces))


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "rotate-key", help=_("re-encrypt the personal data under a new key (with the servers stopped)")
    )
    parser.add_argument(
        "--new-key-file", help=_("the file with the new key; created (random, mode 600) if it does not exist")
    )
    parser.set_defaults(func=run_rotate)
