"""Reading a returned list (XLSX or CSV): its tables, found by their header row."""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.exchange.columns import _COLUMN_BY_HEADER, _HEADER_SEARCH_ROWS, COLUMN, ExchangeError, _header_key
from messages.i18n import _


@dataclass
class _Table:
    sheet: str | None  # None for a CSV
    columns: dict[str, int]  # column key -> index in the row
    rows: list[tuple[int, Sequence[Any]]]  # (line number the official sees, cell values)


def _find_header(rows: Sequence[tuple[int, Sequence[Any]]]) -> tuple[int, dict[str, int]] | None:
    for line, values in rows[:_HEADER_SEARCH_ROWS]:
        columns: dict[str, int] = {}
        for index, value in enumerate(values):
            key = _COLUMN_BY_HEADER.get(_header_key(value))
            if key is not None and key not in columns:
                columns[key] = index
        if "code" in columns and "result" in columns:
            return line, columns
    return None


def _table(sheet: str | None, rows: Sequence[tuple[int, Sequence[Any]]]) -> _Table | None:
    found = _find_header(rows)
    if found is None:
        return None
    header_line, columns = found
    return _Table(sheet, columns, [(n, v) for n, v in rows if n > header_line])


def _read_xlsx(data: bytes) -> list[_Table]:
    # Here, not at the top: openpyxl costs ~190 ms of CPU to import (with numpy and lxml), which every command's
    # start would pay.
    from openpyxl import load_workbook

    # Not read-only: row numbers then always match what the official sees, even after blank rows.
    workbook = load_workbook(io.BytesIO(data), data_only=True)
    tables = []
    for ws in workbook.worksheets:
        rows = [(n, values) for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
        table = _table(ws.title, rows)
        if table is not None:
            tables.append(table)
    return tables


def _decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" (not "CSV UTF-8") on Vietnamese Windows is code page 1258, with combining tones.
        text = raw.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _delimiter(text: str) -> str:
    """The delimiter of the header line: "," as we write it, ";" as Excel writes it where "," is the decimal mark."""
    for line in text.splitlines()[:_HEADER_SEARCH_ROWS]:
        if "ma ho so" in _header_key(line):
            return max((",", ";", "\t"), key=line.count)
    return ","


def _read_csv(data: bytes) -> list[_Table]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    table = _table(None, [(n, values) for n, values in enumerate(reader, start=1)])
    return [table] if table is not None else []


def read_tables(path: Path, data: bytes) -> list[_Table]:
    """The tables (one per sheet with a header row) of the file ``path`` whose content is ``data``."""
    try:
        tables = _read_csv(data) if path.suffix.lower() == ".csv" else _read_xlsx(data)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:  # what openpyxl raises for damaged files
        raise ExchangeError(_("Could not read {path}: {error}").format(path=path, error=exc)) from exc
    if not tables:
        raise ExchangeError(
            _("No header row with the columns “{code}” and “{result}” was found.").format(
                code=COLUMN["code"].header, result=COLUMN["result"].header
            )
        )
    return tables


def _file_bytes(path: Path) -> bytes:
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise ExchangeError(_("Only .xlsx and .csv files can be imported."))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ExchangeError(_("File {path} not found.").format(path=path)) from None
    except OSError as exc:
        raise ExchangeError(_("Could not read {path}: {error}").format(path=path, error=exc)) from exc
