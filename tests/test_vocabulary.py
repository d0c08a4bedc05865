"""One vocabulary: the closed sets of messages/vocabulary.py are spelled nowhere else as literals.

The scan reads every module of the four layers (not the vocabulary itself, not the migrations, which
must keep the words they were written with). A literal that is truly something else (a policy id or a
topic that happens to be the same word) carries `# not vocabulary: <what it is>` on its line.
"""

from __future__ import annotations

import ast
from pathlib import Path

from messages.i18n import _
from messages.vocabulary import (
    KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    ApplicationKind,
    ApplicationStatus,
    AreaLevel,
    BroadcastStatus,
    Channel,
    ChatUserStatus,
    Role,
    SendStatus,
)

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "handlers", "storage", "messages")
ENUMS = (ApplicationStatus, ApplicationKind, Channel, Role, AreaLevel, SendStatus, BroadcastStatus, ChatUserStatus)
WORDS = {member.value for enum in ENUMS for member in enum}
MARK = "# not vocabulary:"


def literals(source: str, words: set[str] = WORDS) -> list[tuple[int, str]]:
    """(line, word) of each string literal in `source` that is a vocabulary word and is not marked."""
    lines = source.splitlines()
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in words
        and MARK not in lines[node.lineno - 1]
    )


def scanned() -> list[Path]:
    files = [path for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))]
    return [
        path
        for path in files
        if path != ROOT / "messages" / "vocabulary.py" and "migrations" not in path.relative_to(ROOT).parts
    ]


def test_the_scan_flags_a_literal_and_honours_the_mark() -> None:
    source = 'if a.status == "submitted":\n    x = "free_worker"  # not vocabulary: a policy id\ny = "telegram"\n'
    assert literals(source) == [(1, "submitted"), (3, "telegram")]


def test_no_vocabulary_literal_outside_the_vocabulary_module() -> None:
    files = scanned()
    assert len(files) > 50  # the whole tree, not an empty glob
    found = [
        f"{path.relative_to(ROOT)}:{line}: {word!r}"
        for path in files
        for line, word in literals(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use the enums of messages/vocabulary.py:\n" + "\n".join(found)


def test_every_status_and_kind_has_a_vietnamese_label() -> None:
    assert set(STATUS_LABELS) == set(ApplicationStatus)
    assert set(KIND_LABELS) == set(ApplicationKind)
    assert set(ROLE_LABELS) == set(Role)
    for label in [*STATUS_LABELS.values(), *KIND_LABELS.values(), *ROLE_LABELS.values()]:
        assert _(label) != label, label


def test_members_are_the_stored_strings() -> None:
    assert ApplicationStatus.UNDER_REVIEW == "under_review" and f"{ApplicationStatus.UNDER_REVIEW}" == "under_review"
    assert ApplicationKind.FREE_WORKER == "free_worker" and Channel.ZALO == "zalo"
    assert Role.COMMUNE == AreaLevel.COMMUNE == "commune" and SendStatus.HELD == "held"
    assert list(AreaLevel) == ["province", "district", "commune"]  # top down: the address picker walks it
