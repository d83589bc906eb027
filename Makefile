# Taut: `make run` starts the workbench on SQLite with the demo clinics; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast check lint types bench kb-lint clean media

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/taut demo
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/ and log in with a name above."
	$(BIN)/taut serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p randomly

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m "not slow and not e2e"

lint: $(STAMP)
	$(BIN)/ruff check taut tests benchmarks evaluation
	$(BIN)/ruff format --check taut tests benchmarks evaluation
	$(BIN)/lint-imports
	$(BIN)/python -m tests.lint_templates
	$(BIN)/taut manage makemigrations --check --dry-run

types: $(STAMP)
	$(BIN)/mypy

check: lint types test

kb-lint: $(STAMP)
	$(BIN)/taut kb check
	$(BIN)/python -m pytest tests/kb -q

media: $(STAMP)
	$(BIN)/python -m tests.media_files

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
