# VetPass — `make run` to try it, `make test` to check it. Python 3.11+ is all you need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: venv run test lint format migrate seed clean bench bench-http

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "VetPass needs Python 3.11 or newer" or 0)'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

# The site, a Celery worker and beat, on embedded defaults (SQLite, filesystem broker,
# console email). Ctrl-C stops all three.
run: seed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "VetPass on http://$(HOST):$(PORT)/  (worker and beat beside it; Ctrl-C stops all)"
	@# Stop the worker and beat once, by pid, when the server stops (a `kill 0` in the trap
	@# re-entered the trap, signalled the worker's pool children directly and left it hanging).
	@# HOST and PORT reach all three, so links in emails (SITE_URL's default) name this port.
	@export HOST=$(HOST) PORT=$(PORT); \
	trap 'trap "" INT TERM; kill $$pids 2>/dev/null; wait' INT TERM EXIT; \
	$(BIN)/celery -A vetpass worker --loglevel=INFO --concurrency=2 --hostname=vetpass@%h & \
	pids="$$!"; \
	$(BIN)/celery -A vetpass beat --loglevel=INFO --pidfile= & \
	pids="$$pids $$!"; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy vetpass records consent dsar

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The whole suite: lint, migrations committed, then pytest (browser tests run when
# Chromium is at /usr/bin/chromium). Honours DATABASE_URL and CELERY_BROKER_URL.
test: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

bench: venv
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The hot paths over HTTP (gunicorn + wrk) against their floors; BENCH_ARGS=--quick for a
# short check. Needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL or BENCH_REDIS_URL.
bench-http: venv
	$(BIN)/python -m bench.http_bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/vetpass.sqlite3 var/celery var/staticfiles var/cache
