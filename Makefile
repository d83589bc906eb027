# Taut: `make run` starts the workbench on SQLite with the demo clinics; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: run test test-fast check lint types bench kb-lint clean media system-packages

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

# The browser tests drive Debian's chromium and the report tests read PDFs with poppler-utils:
# installed here when missing (as root, through apt-get); elsewhere the tests say what is missing.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing chromium and poppler-utils from Debian's packages..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null; \
	  else echo "chromium or poppler-utils is missing: apt-get install chromium chromium-driver poppler-utils"; fi; \
	fi

test: $(STAMP) system-packages
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
