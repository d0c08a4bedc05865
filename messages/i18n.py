"""gettext for everything a citizen reads.

Source strings (msgids) are English; the Vietnamese catalog lives in
messages/locale/vi/LC_MESSAGES/hotro.po and is managed with Babel
(`pybabel extract/update/compile`, see README). The compiled .mo is built on
first use when it is missing or older than the .po, so a fresh checkout runs
without a separate build step.
"""

from __future__ import annotations

import gettext as _gettext
import os
import tempfile
from functools import lru_cache
from pathlib import Path

DOMAIN = "hotro"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "vi"


def compile_catalog(language: str = DEFAULT_LANGUAGE, force: bool = False) -> Path:
    """Compile the .po to .mo when needed; returns the .mo path."""
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo_path = po_path.with_suffix(".mo")
    if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        return mo_path
    # Here, not at the top: only a catalog older than its .po needs Babel's catalog modules (~10 ms of CPU).
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=language, domain=DOMAIN)
    # Write atomically: several processes may start at once.
    fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    with os.fdopen(fd, "wb") as out:
        write_mo(out, catalog, use_fuzzy=False)
    os.replace(tmp, mo_path)
    return mo_path


@lru_cache(maxsize=4)
def translations(language: str = DEFAULT_LANGUAGE) -> _gettext.NullTranslations:
    compile_catalog(language)
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language])


def _(message: str) -> str:
    """Translate a message into Vietnamese."""
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (module-level constants)."""
    return message
