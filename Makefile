# RACE Planner: `make run` to try it, `make test` for everything CI checks.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install system-packages lint test-sqlite test-postgres test-scale benchmarks clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "RACE Planner on http://$(HOST):$(PORT)/ (log in as marketer or manager, password race-demo)"
	@echo "The web server and one export worker (db_worker) run below; Ctrl-C stops both."
	PYTHON=$(BIN)/python bash scripts/run.sh $(HOST):$(PORT)

install: $(STAMP)

# Reinstalled only when pyproject.toml changes; a second `make run` reuses the venv.
$(STAMP): pyproject.toml
	bash scripts/system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[test,rq]"
	touch $@

system-packages:
	bash scripts/system-packages.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider

test-postgres: install
	bash scripts/with-postgres.sh $(BIN)/pytest -p no:cacheprovider -m "not database_independent"

test: lint test-sqlite test-postgres

# Two app servers, two RQ workers, PostgreSQL and Redis under load, losing a worker and a server
# mid-run (scripts/scale.py, a few minutes; CI runs it after `make test`).
test-scale: install
	$(BIN)/python scripts/scale.py

# Every benchmark in turn (harness.py is what they share, not one of them); all run, and the
# target fails at the end if one failed or missed a goal. A script with the line
#   # make benchmarks: on PostgreSQL
# runs against a throw-away PostgreSQL (scripts/with-postgres.sh sets DATABASE_URL, which
# harness.py then uses); the others make their own databases (throughput.py its own PostgreSQL).
benchmarks: install
	@failed=""; \
	for script in benchmarks/*.py; do \
	  [ "$$script" = benchmarks/harness.py ] && continue; \
	  echo "=== $$script"; \
	  if grep -q '^# make benchmarks: on PostgreSQL' "$$script"; then \
	    bash scripts/with-postgres.sh $(BIN)/python "$$script" || failed="$$failed $$script"; \
	  else \
	    $(BIN)/python "$$script" || failed="$$failed $$script"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "Failed or missed a goal:$$failed"; exit 1; fi

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
