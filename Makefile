# MyLife: `make run` sets up and serves; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
MYLIFE_TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# Test processes: each has its own database (and, on PostgreSQL, its own roles).
TEST_WORKERS ?= 2
export MYLIFE_TEST_DATABASE_URL
# Python keeps compiled modules (and pytest its rewritten test modules) for the next process:
# each test process would otherwise compile them all again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run install migrate demo test test-sqlite test-postgres lint messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# uv (from PyPI, into the venv) installs what pyproject.toml names: it resolves and fetches in
# parallel and keeps what it fetched (~/.cache/uv), where pip took most of a minute each time.
# The modules are compiled as they are installed, as pip does.
UV_INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode

$(BIN)/uv: | $(BIN)/python
	$(BIN)/pip install --quiet uv

$(VENV)/.installed: pyproject.toml | $(BIN)/uv
	$(UV_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/uv
	$(UV_INSTALL) -e '.[test]'
	touch $(VENV)/.installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/alembic upgrade head

demo: migrate
	$(BIN)/python -m app.cli demo

# Absolute links point at where it is served; localhost names the same place.
run: export MYLIFE_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export MYLIFE_TRUSTED_HOSTS ?= ["localhost:$(PORT)"]
run: demo
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT)

/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

test: $(VENV)/.installed-test node_modules/.installed /usr/bin/chromium lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

# The browser tests drive the same pages on either database: they run once, on PostgreSQL.
# A test that touches no database (no `database` marker, see tests/conftest.py) runs once,
# on SQLite: the pass on PostgreSQL selects `-m database`.
test-sqlite:
	@echo "== tests on SQLite (browser tests run on PostgreSQL)"
	MYLIFE_TEST_DATABASE_URL= $(BIN)/pytest -n $(TEST_WORKERS) -m "not browser"

test-postgres:
	@echo "== tests on PostgreSQL ($(MYLIFE_TEST_DATABASE_URL)), those that touch a database"
	$(BIN)/pytest -n $(TEST_WORKERS) -m database

lint: $(VENV)/.installed-test
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations
	$(BIN)/mypy app bench tests

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 \
		--no-location --omit-header -o app/locale/messages.pot .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale --omit-header \
		--ignore-obsolete --width 100

/usr/bin/wrk:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null

bench/node_modules/.installed: bench/package.json bench/package-lock.json
	npm ci --prefix bench --no-audit --no-fund --loglevel=error
	touch $@

# The throughput table (bench/README.md): MyLife beside a bare app, SQLite and PostgreSQL;
# then Lighthouse's mobile scores and the page weights.
bench: $(VENV)/.installed-test /usr/bin/wrk /usr/bin/chromium bench/node_modules/.installed
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/fhir_read.py
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules bench/node_modules var .pytest_cache .mypy_cache .ruff_cache
