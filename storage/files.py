"""Owner-only permissions for what holds personal data: the data directory, the SQLite files, the key.

Modes are set with chmod after creation, so a permissive umask (002, 000) cannot widen them.
SQLite creates its -wal and -shm files with the database file's mode, so a 0600 database keeps them 0600.
"""

from __future__ import annotations

import os
from pathlib import Path

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


def private_file(path: Path) -> None:
    if path.exists():
        os.chmod(path, 0o600)


def prepare_sqlite(database: Path) -> None:
    """Create the database file 0600 (and its directory 0700 when it is new) before SQLite opens it."""
    if not database.parent.exists():
        private_dir(database.parent)
    fd = os.open(database, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    for path in (database, *(database.with_name(database.name + side) for side in SQLITE_SIDE_FILES)):
        private_file(path)
