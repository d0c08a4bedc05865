"""Wiring that the feature folders rely on: one question handler for the whole router, and the chat's
start not paying for the PDF library (handlers/posting/files.py imports fpdf2 only to write a PDF)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from handlers.ask.questions.answer import answer
from handlers.router import Router
from handlers.routes import build_router
from handlers.turn import CoreState


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


def test_starting_the_cli_does_not_import_the_pdf_library() -> None:
    probe = "import sys, bot.cli, handlers.posting.files; print('fpdf' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
