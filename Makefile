# Touchpoint: two commands for a fresh machine with Python 3.12+.
#   make run    the demo repair shop (web app + worker, embedded SQLite) on http://127.0.0.1:8000
#   make test   the whole suite: lint, types, then the tests on SQLite and again on PostgreSQL
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
UV_VERSION := 0.13.9
PG_URL ?= postgresql://postgres@127.0.0.1:5432/touchpoint
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
UV := .tools/bin/uv
# The demo: mail kept in /dev/mail, card payments on the demo card page (no real money), and links in
# messages that lead to this port (TOUCHPOINT_PUBLIC_URL from the environment wins, e.g. behind a proxy);
# the demo's carrier posts signed AfterShip scans for the parcels in the post (docs/carriers.md).
PUBLIC_URL = $(or $(TOUCHPOINT_PUBLIC_URL),http://127.0.0.1:$(PORT))
DEMO_ENV = TOUCHPOINT_DEV_MAILBOX=1 TOUCHPOINT_EMAIL_BACKEND=touchpoint.devmail.backend.CaptureBackend \
	TOUCHPOINT_PAYMENT_PROVIDERS=offline,demo TOUCHPOINT_PUBLIC_URL=$(PUBLIC_URL) \
	TOUCHPOINT_CARRIER_AFTERSHIP_SECRET=$(or $(TOUCHPOINT_CARRIER_AFTERSHIP_SECRET),demo-carrier-secret) \
	TWILIO_AUTH_TOKEN=$(or $(TWILIO_AUTH_TOKEN),demo-twilio-token) TWILIO_FROM_NUMBER=$(or $(TWILIO_FROM_NUMBER),+447700900900) \
	TOUCHPOINT_WATCHDOG_FLOOR_HOURS=0.1 TOUCHPOINT_WATCHDOG_CEILING_HOURS=0.1

.PHONY: help run test test-deps lint types test-sqlite test-postgres bench bench-smoke bench-deps bench-peer bench-scale install clean

help:
	@echo "make run    start the demo on http://127.0.0.1:$(PORT) (PORT=8080 make run, or make run PORT=8080, to change it)"
	@echo "make test   run the whole suite (SQLite, then PostgreSQL if a server is at 127.0.0.1:5432)"
	@echo "make bench  print the benchmarks (make bench-smoke: all at a small size; bench-peer: beside django-helpdesk;"
	@echo "            bench-scale: pages at 100,000 and 1,000,000 cases)"

$(UV):
	@test -n "$(PYTHON)" || { echo "Touchpoint needs Python 3.12 or newer on PATH (python3.12, python3.13 or python3)."; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

# Bytecode compiled here, once: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines), every
# Python process would otherwise compile what it imports from source (2 s of each start).
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"
	@touch $@

install: $(VENV)/.synced
	@$(BIN)/python -m compileall -q -j 0 src  # only what changed since the last time

run: install
	$(BIN)/touchpoint migrate --verbosity 0
	$(DEMO_ENV) $(BIN)/touchpoint demo
	$(DEMO_ENV) $(BIN)/touchpoint run --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layers and the no-cycles contract (pyproject.toml, ADRs 0010 and 0011)

types: install
	$(BIN)/mypy

test: test-deps lint types test-sqlite test-postgres

# The IMAP tests run a real dovecot and the end-to-end tests Debian's Chromium. Installed here when
# missing and we are root (harmless when they are there); otherwise those tests are skipped with the
# reason, or fail under CI (CI set).
TEST_PACKAGES := dovecot-imapd:/usr/sbin/dovecot chromium:/usr/bin/chromium
test-deps:
	@missing=""; for pair in $(TEST_PACKAGES); do [ -x "$${pair#*:}" ] || missing="$$missing $${pair%%:*}"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "== installing$$missing for the IMAP and browser tests =="; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "== missing and not root:$$missing; those tests will be skipped (apt-get install$$missing) =="; \
	fi

# One test process per core and one more (pytest-xdist; each has its own test database): about a third
# of the suite waits on browsers, servers and subprocesses, and the extra process fills those waits
# (on 2 cores: 3 processes run the SQLite leg in 10 m 47 s, 2 in 14 m 31 s). TEST_PROCESSES=1 runs them in one.
TEST_PROCESSES ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
PYTEST := $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal --durations=40  # the slowest, printed: CI must stay inside 30 minutes

test-sqlite: install test-deps
	@echo "== tests on SQLite =="
	$(PYTEST)

# CI sets TOUCHPOINT_REQUIRE_POSTGRES=1: there a missing server fails the run instead of skipping.
# This leg runs the tests that open the database (tests/conftest.py); the rest ran on SQLite just before.
test-postgres: install test-deps
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(PG_URL)) =="; \
		DATABASE_URL=$(PG_URL) TOUCHPOINT_DATABASE_TESTS_ONLY=1 $(PYTEST) --ignore=tests/journeys --ignore=tests/mail; \
	elif [ "$${TOUCHPOINT_REQUIRE_POSTGRES:-0}" = 1 ]; then \
		echo "PostgreSQL is required here but no server answers at $(PG_URL)"; exit 1; \
	else \
		echo "== PostgreSQL leg SKIPPED: no server answers at $(PG_URL) (set PG_URL to point at one) =="; \
	fi

# Figures are printed beside a ceiling measured in the same run, never asserted: a bench fails only when it crashes.
bench: install bench-deps
	$(BIN)/python bench/run.py

# Every bench at a small size, a few minutes in all: CI runs it after the tests so that none can rot.
bench-smoke: install bench-deps
	BENCH_SIZE=small $(BIN)/python bench/run.py

# bench_load.py and bench-peer drive the server with wrk; installed here when missing and we are root.
bench-deps:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		echo "== installing wrk for the load benchmarks ==" && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
		echo "== wrk missing and not root: bench_load.py will say so (apt-get install wrk) =="

# Touchpoint beside django-helpdesk (../shared/peer), one after the other on this machine; needs wrk. ~15 minutes.
bench-peer: install
	$(BIN)/python bench/peer.py

# Every page at 100,000 and 1,000,000 cases with realistic histories (about 20 GB in BENCH_DATA; an hour to build).
BENCH_DATA ?= var/bench/scale
bench-scale: install
	$(BIN)/python bench/bench_scale.py --data $(BENCH_DATA)

clean:
	rm -rf .venv .tools var .pytest_cache .mypy_cache .ruff_cache
