# Tandem: `make run` to try it, `make test` to check it. `make help` lists all.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-deps
TEST_STAMP := $(VENV)/.test-deps
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.DEFAULT_GOAL := help
.PHONY: help run dev test test-browser migrate seed lint format bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(RUN_STAMP) ## install, migrate, load the demo world if empty, serve on http://$(HOST):$(PORT)
	$(BIN)/python -m backend run

dev: $(RUN_STAMP) ## serve with auto-reload (after `make migrate`)
	$(BIN)/uvicorn backend.app:create_app --factory --reload --host $(HOST) --port $(PORT)

migrate: $(RUN_STAMP) ## apply database migrations (DATABASE_URL or var/tandem.sqlite3)
	$(BIN)/python -m backend migrate

seed: $(RUN_STAMP) ## load the demo world into an empty database
	$(BIN)/python -m backend migrate
	$(BIN)/python -m backend seed --if-empty

test: $(TEST_STAMP) ## install test dependencies and run the whole suite (SQLite; TEST_DATABASE_URL for PostgreSQL)
	$(BIN)/python -m pytest -q

test-browser: $(TEST_STAMP) ## run only the browser tests (Chromium at /usr/bin/chromium)
	$(BIN)/python -m pytest -q tests/e2e

lint: $(TEST_STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check backend tests bench seeds

format: $(TEST_STAMP) ## apply ruff fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format backend tests bench seeds

bench: $(TEST_STAMP) ## run the benchmarks in bench/ (not part of make test)
	$(BIN)/python -m bench

clean: ## remove the virtualenv and local database
	rm -rf $(VENV) var/tandem.sqlite3*
