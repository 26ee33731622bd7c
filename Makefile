# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: help run test lint format demo bench backup restore clean

help:
	@echo "make run     set up everything, load the demo programme, serve on 127.0.0.1:$(PORT)"
	@echo "make test    set up with the dev extras, lint, run the whole test suite"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make format  ruff format and ruff check --fix"
	@echo "make demo    (re)load the demo programme"
	@echo "make bench   measure Parley at 1x and 10x the portfolio (docs/performance.md)"
	@echo "make backup  write the database and private files to var/backups/parley-<time>.zip"
	@echo "make restore FILE=path.zip  restore a backup (FORCE=1 to replace existing data)"
	@echo "make clean   remove .venv and var/"

$(VENV)/created:
	@python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@touch $@

# Reinstall whenever the dependencies change.
$(VENV)/installed: $(VENV)/created pyproject.toml
	@$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/installed-dev: $(VENV)/installed
	@$(PY) -m pip install -q -e ".[dev]"
	@touch $@

run: $(VENV)/installed
	@scripts/system-deps
	@PORT=$(PORT) scripts/serve

demo: $(VENV)/installed
	@DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	@DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo

# The performance harness (docs/performance.md). It empties its database: on SQLite its own
# file under var/bench/, never the user's; with DATABASE_URL the command refuses any database
# whose name lacks "bench" (e.g. postgres://.../parley_bench). BENCH_ARGS passes options,
# e.g. make bench BENCH_ARGS="--scales 1 --fraction 0.1".
BENCH_ENV = SECRET_KEY=$${SECRET_KEY:-bench-only-secret-key-never-used-in-production-0123456789} \
	DEBUG=0 SECURE_SSL_REDIRECT=0 PARLEY_BASE_URL=http://127.0.0.1 PYTHONUNBUFFERED=1 \
	ALLOWED_HOSTS=127.0.0.1,localhost,testserver PARLEY_VAR_DIR=var/bench
bench: $(VENV)/installed
	@case "$${DATABASE_URL:-}" in ""|*bench*) ;; *) echo "make bench empties its database:" \
	  "DATABASE_URL must name one containing 'bench' (e.g. .../parley_bench)."; exit 2;; esac
	@$(BENCH_ENV) $(PY) manage.py migrate --noinput
	@$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

lint: $(VENV)/installed-dev
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .

format: $(VENV)/installed-dev
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

# Tests keep their own var/ folder so a running `make run` worker never picks up their tasks.
test: $(VENV)/installed-dev lint
	@scripts/system-deps --browser
	@SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-never-used-in-production-0123456789} \
	  DEBUG=0 SECURE_SSL_REDIRECT=0 PARLEY_BASE_URL=http://testserver PARLEY_VAR_DIR=$${PARLEY_VAR_DIR:-var/test} $(VENV)/bin/pytest

# Portable across SQLite and PostgreSQL: no database client tools needed. Like `make demo`,
# for the local install (DEBUG=1 unless set); in compose run `manage.py backup` in `web`.
backup: $(VENV)/installed
	@mkdir -p var/backups
	@DEBUG=$${DEBUG:-1} $(PY) manage.py backup "var/backups/parley-$$(date -u +%Y%m%dT%H%M%SZ).zip"

restore: $(VENV)/installed
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=var/backups/parley-....zip"; exit 2; }
	@DEBUG=$${DEBUG:-1} $(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force,)

clean:
	rm -rf $(VENV) var
