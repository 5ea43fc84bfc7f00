# Sourcewise: `make run` (embedded default) and `make test` (whole suite on PostgreSQL + Redis).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/sourcewise)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
# Two processes by default (the suite is a few thousand tests); PYTEST_ARGS= runs it in one.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint bench install install-dev migrate seed translations clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Management commands that need no database run on the embedded settings, whatever DATABASE_URL says.
OFFLINE := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL

translations: install
	$(OFFLINE) $(PY) manage.py compile_translations

# The embedded default: SQLite in var/, tasks in-process, e-mail to the console, demo data loaded.
# Whatever the shell has for the production variables is ignored here, so the embedded default is what runs.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u DJANGO_DEBUG SITE_URL=http://127.0.0.1:$(PORT)

run: translations
	$(EMBEDDED) $(PY) manage.py migrate --noinput
	$(EMBEDDED) $(PY) manage.py seed_demo
	$(EMBEDDED) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(OFFLINE) $(VENV)/bin/mypy .

# Tests run against PostgreSQL (row-level security) and Redis (Celery, cache). The runtime role that the
# suite runs as is provisioned here; the owner role creates and migrates the test database.
test: install-dev translations
	$(MAKE) --no-print-directory lint
	$(OFFLINE) $(PY) manage.py makemigrations --check --dry-run
	$(OFFLINE) $(PY) manage.py collectstatic --noinput -v 0
	owner_url=$$($(PY) -m sourcing.dbroles "$(TEST_DATABASE_URL)" | tail -n 1) && \
	SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DATABASE_URL="$$owner_url" REDIS_URL="$(TEST_REDIS_URL)" CELERY_BROKER_URL="$(TEST_REDIS_URL)" \
	CACHE_KEY_PREFIX="sourcewise-test-$$(date +%s%N)" $(VENV)/bin/pytest --durations=25 $(PYTEST_ARGS) --ignore=tests/browser
	# The embedded default has only the application's wall (no RLS): run the isolation harness there too, with
	# the tests of the embedded default itself (marked `embedded`: background work on SQLite).
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL $(VENV)/bin/pytest tests/test_isolation.py --durations=25 $(PYTEST_ARGS)
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL $(VENV)/bin/pytest tests -m embedded --ignore=tests/browser -p no:xdist
	# The demo in a real browser (Debian's Chromium, driven by Playwright): every page at desktop and phone width,
	# the partner pages with real Chinese glyphs (Noto CJK), so their widths are measured as agents see them.
	(command -v chromium >/dev/null && fc-list :lang=zh | grep -q .) || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)
	$(OFFLINE) $(VENV)/bin/pytest tests/browser -p no:xdist --durations=10

bench: install-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
