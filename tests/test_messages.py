"""The Vietnamese catalog and Babel formatting."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir

from messages import fmt
from messages.catalog import PO, read
from messages.i18n import _, compile_catalog

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]")


def code_msgids() -> set[str]:
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map=[
            ("bot/**.py", "python"),
            ("handlers/**.py", "python"),
            ("messages/**.py", "python"),
            ("storage/**.py", "python"),
        ],
        keywords={"_": None, "N_": None, "ngettext": (1, 2)},
    ):
        ids.add(message if isinstance(message, str) else message[0])  # plurals are keyed by the singular
    return ids


def test_every_msgid_in_the_code_has_a_vietnamese_translation() -> None:
    catalog = read(PO)

    def translated(msgid: str) -> bool:
        message = catalog.get(msgid)
        if message is None or "fuzzy" in message.flags:
            return False
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        return all(strings)

    missing = [m for m in sorted(code_msgids()) if not translated(m)]
    assert missing == [], f"untranslated (run `python -m messages.catalog update` and translate): {missing}"


def test_translations_keep_their_placeholders() -> None:
    for message in read(PO):
        if message.id and message.string:
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            msgstr = message.string if isinstance(message.string, str) else message.string[0]
            assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid


def test_catalog_compiles_and_translates() -> None:
    mo = compile_catalog(force=True)
    assert mo.exists() and mo.stat().st_size > 0
    assert _("Help") == "Trợ giúp"


def test_vnd_amounts_use_babel_vietnamese_format() -> None:
    assert fmt.vnd(3_000_000) == "3.000.000\xa0₫"
    assert fmt.vnd(1_855_000) == "1.855.000\xa0₫"
    assert fmt.number(1234567) == "1.234.567"


def test_dates_are_shown_in_vietnam_time() -> None:
    # 20:00 UTC on 30/4 is already 1 May in Hà Nội (UTC+7).
    assert fmt.day(datetime(2021, 4, 30, 20, 0, tzinfo=UTC)) == "01/05/2021"
    assert fmt.day(datetime(2021, 4, 30, 20, 0)) == "01/05/2021"  # naive is read as UTC
    assert fmt.moment(datetime(2021, 7, 1, 1, 30, tzinfo=UTC)) == "08:30 01/07/2021"
    assert fmt.day(date(2021, 12, 31)) == "31/12/2021"


def test_catalog_tool_reports_nothing_missing() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "messages.catalog", "missing"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout
