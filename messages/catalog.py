"""Catalog maintenance: `python -m messages.catalog update|merge FILE…|missing`.

update  - extract msgids from the code (pybabel extract) and update the Vietnamese .po
merge   - copy translations from other .po files (e.g. a translator's) into the catalog
missing - list msgids without a Vietnamese translation (exit 1 if any)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from messages.i18n import DOMAIN, LOCALE_DIR

ROOT = LOCALE_DIR.parent.parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"
PO = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.po"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]  # babel leaves run() unannotated


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale="vi")


def write(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, omit_header=False, include_previous=False)


def update() -> None:
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "--project=hotro",
        "-o",
        str(POT),
        str(ROOT),
    )
    if PO.exists():
        _pybabel(
            "update",
            "-i",
            str(POT),
            "-d",
            str(LOCALE_DIR),
            "-D",
            DOMAIN,
            "-l",
            "vi",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        )
    else:
        _pybabel("init", "-i", str(POT), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", "vi")
    # pybabel writes 76 columns; the catalog is kept as `write` writes it, so an update changes only new entries.
    write(read(PO), PO)


def merge(paths: list[Path]) -> int:
    catalog = read(PO)
    merged = 0
    for path in paths:
        for message in read(path):
            if message.id and message.string and message.id in catalog:
                catalog[message.id].string = message.string
                catalog[message.id].flags.discard("fuzzy")
                merged += 1
    write(catalog, PO)
    return merged


# babel's msgid: a plural entry's is (singular, plural)
MessageId = str | tuple[str, ...] | list[str]


def missing() -> list[MessageId]:
    return [m.id for m in read(PO) if m.id and (not m.string or "fuzzy" in m.flags)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "missing"
    if command == "update":
        update()
    elif command == "merge":
        print(f"merged {merge([Path(p) for p in argv[1:]])} translations")
    else:
        ids = missing()
        for msgid in ids:
            print(repr(msgid))
        return 1 if ids else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
