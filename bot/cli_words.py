"""argparse's own words (usage, options, its refusals) in Vietnamese, from the catalog, for the officials
who run `hotro`.

argparse translates them with gettext (Python's argparse how-to, "How to translate the argparse
output"), through the names it binds at import: `from gettext import gettext as _, ngettext`
(Lib/argparse.py). gettext's global domain would pick the language from the environment (LANGUAGE,
LC_ALL, LANG: often C or en_US on a server); HoTro speaks only Vietnamese, so `speak_vietnamese`
points those two names at the Vietnamese catalog instead. The msgids below are argparse's (Python 3.11,
`pybabel extract` of argparse.py), listed so that `messages.catalog update` keeps them in the catalog; a
Python that words one differently shows that one in English until it is added here.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from messages import i18n
from messages.i18n import N_

WORDS = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def choices(values: Iterable[str]) -> list[str]:
    """Plain strings for an argument's `choices`: argparse names them with repr() when it refuses a value,
    and a StrEnum's repr is "<Role.COMMUNE: 'commune'>". (The value parsed is then a str, equal to the member.)"""
    return [str(value) for value in values]


def speak_vietnamese() -> None:
    """Once, before a parser prints anything (the CLI's main)."""
    # argparse's module globals, which its stubs do not declare. (Its one plural, "expected %s arguments",
    # is for options taking N values: HoTro has none.)
    setattr(argparse, "_", i18n._)  # noqa: B010
