"""SQLAlchemy's aiosqlite adapter with one thread round trip per statement instead of four.

aiosqlite runs every call on the connection in its own thread, and each call is a round trip: queue the
call, wake the thread, then wake the event loop through its self-pipe with the result. SQLAlchemy's adapter
makes four per statement (open a cursor, execute, fetch the rows, close the cursor), which was most of the
CPU of a chat turn on SQLite. This cursor does all four in one function on aiosqlite's thread, so SQLite is
still only touched from that thread, never on the event loop. Transactions, errors and results are as before;
server-side (streaming) cursors keep SQLAlchemy's own class.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from threading import Thread
from typing import Any, cast

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What one statement leaves behind: description, rows, rowcount, lastrowid.
_Outcome = tuple[Any, list[Any], int, int | None]


def _run(connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: the transaction's BEGIN if it is still to be sent, then the whole statement,
    rows included, with a cursor of its own."""
    cursor = connection.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered DBAPI cursor whose statement, rows and counts come back in one round trip."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:  # no aiosqlite cursor: each statement makes its own
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return None  # the rows are buffered and no driver cursor stays open

    def close(self) -> None:
        self._rows.clear()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._one_trip(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._one_trip(operation, seq_of_parameters, many=True)

    async def _one_trip(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapted = cast("OneTripConnection", self._adapt_connection)
        async with adapted._execute_mutex:
            adapted._idle = False  # before the call: even a cancelled one may have begun something
            begin, adapted._pending_begin = adapted._pending_begin, None
            # Connection._execute queues the call on aiosqlite's thread (and refuses a closed connection).
            outcome: _Outcome = await self._connection._execute(
                _run, self._connection._conn, begin, operation, parameters, many
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = deque(rows)

    def nextset(self) -> None:
        return None  # sqlite3 has one result set per statement

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None  # a no-op in sqlite3 as well


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """Two more round trips saved per transaction: its BEGIN travels with its first statement, and the
    pool's rollback-on-return after a commit is skipped, since it had nothing to undo."""

    __slots__ = ("_idle", "_pending_begin")
    _cursor_cls = OneTripCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._idle = False  # True while no statement ran since the last successful commit or rollback
        self._pending_begin: str | None = None

    def begin_with_next_statement(self, begin: str) -> None:
        """Send `begin` (BEGIN IMMEDIATE) right before the next statement, in the same round trip: nothing
        is read or written in between, so the transaction and its lock start exactly as if sent now."""
        self._pending_begin = begin

    def commit(self) -> None:
        self._pending_begin = None  # a transaction with no statement never began
        if self._idle:
            return
        super().commit()
        self._idle = True

    def rollback(self) -> None:
        self._pending_begin = None
        if self._idle:
            return  # no transaction can be open: nothing was executed since the last one ended
        super().rollback()
        self._idle = True


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module given to create_async_engine(module=...): SQLAlchemy's, with the cursor above."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        creator_fn = kw.pop("async_creator_fn", None)
        connection = creator_fn(*arg, **kw) if creator_fn else self.aiosqlite.connect(*arg, **kw)
        thread = connection if isinstance(connection, Thread) else getattr(connection, "_thread", None)
        if thread is not None:
            thread.daemon = True  # as SQLAlchemy does: an unclosed connection must not keep the process alive
        return OneTripConnection(self, await_(connection))


def one_trip_dbapi() -> OneTripDBAPI:
    import aiosqlite

    return OneTripDBAPI(aiosqlite, sqlite3)
