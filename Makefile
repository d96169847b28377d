# CPTS Portal — developer entry points. `make help` lists them.
#
# Everything runs from the virtualenv in .venv, created and filled on first use.
# Configuration comes from environment variables (see .env.example and the README);
# with none set, the portal runs on SQLite under var/ with tasks run in-process.

VENV        ?= .venv
VAR_DIR     ?= var
BIN         := $(VENV)/bin
MANAGE      := $(BIN)/python manage.py
# Written after a successful install; remade when pyproject.toml or constraints.txt change.
STAMP       := $(VENV)/.installed
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k outbox -x"`.
PYTEST_ARGS ?=

.PHONY: help install run test lint worker beat

help:
	@echo "make run      install, migrate, load the demo data and serve on http://127.0.0.1:8000"
	@echo "make test     install and run the whole test suite (pytest -n auto)"
	@echo "make lint     ruff check and a check that no migration is missing"
	@echo "make worker   a Celery worker (needs REDIS_URL or CELERY_BROKER_URL)"
	@echo "make beat     Celery beat, the periodic scheduler (same broker)"
	@echo "make install  create $(VENV) and install the project with its dev tools"

install: $(STAMP)

$(BIN)/python:
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -c constraints.txt -e ".[dev]"
	touch $@

run: install
	$(MANAGE) migrate
	$(MANAGE) load_geography
	$(MANAGE) setup_demo
	$(MANAGE) runserver 127.0.0.1:8000

# Tests grouped with @pytest.mark.xdist_group run in the same xdist worker.
test: install
	$(BIN)/pytest -n auto --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(MANAGE) makemigrations --check --dry-run

worker: install broker-check
	$(BIN)/celery -A cpts_portal worker -l info

beat: install broker-check
	mkdir -p $(VAR_DIR)
	$(BIN)/celery -A cpts_portal beat -l info --schedule $(VAR_DIR)/celerybeat-schedule

.PHONY: broker-check
broker-check:
	@test -n "$$REDIS_URL$$CELERY_BROKER_URL" || { \
		echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): without a broker, tasks run in-process."; \
		exit 1; }
