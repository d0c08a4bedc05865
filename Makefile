# Two commands set up a clean machine: `make chat` runs the bot in this terminal,
# `make test` runs the tests. Both create .venv and install the project on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: chat test test-pg lint bench catalog

# Python's bytecode cache (__pycache__, ignored by git) on, even where the environment turns it off:
# without it every worker and every process a test starts compiles the project again, and pytest
# rewrites every test module's asserts again (about 3 s of CPU per worker).
unexport PYTHONDONTWRITEBYTECODE

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

chat: $(VENV)/.installed
	$(BIN)/hotro chat

test: $(VENV)/.installed
	.ci/system-packages
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest

# The same suite against PostgreSQL (the production database).
test-pg: $(VENV)/.installed
	HOTRO_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

catalog: $(VENV)/.installed
	$(BIN)/python -m messages.catalog update
	$(BIN)/python -m messages.catalog missing
