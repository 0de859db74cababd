# The README's quick start: `make demo` and `make test`. Each works on a fresh machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install lint test-sqlite test-postgres bench clean lock messages

install: $(STAMP)

# Reinstall only when the locks change. Python packages come pinned with hashes from
# requirements.lock; front-end assets from package-lock.json (npm ci), never from a CDN.
$(STAMP): requirements.lock pyproject.toml package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kesu demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check kesu tests bench
	$(BIN)/ruff format --check kesu tests bench
	$(BIN)/lint-imports --no-cache
	msgfmt --check -o /dev/null kesu/locale/zh_Hans/LC_MESSAGES/django.po

# The suite on SQLite and, when KESU_TEST_POSTGRES is a database URL, on PostgreSQL at the same
# time: each run is one Python process, so on two cores the two together take little more than the
# longer one. The PostgreSQL run's output follows SQLite's; either failing fails the target.
test: $(STAMP) lint
	KESU_SECRET_KEY=$${KESU_SECRET_KEY:-makemigrations-check-only} $(BIN)/kesu makemigrations --check --dry-run > /dev/null || (echo "Missing migrations: run kesu makemigrations" && false)
	@mkdir -p var; pg=0; \
	if [ -n "$$KESU_TEST_POSTGRES" ]; then \
		echo "== PostgreSQL, beside SQLite (its output follows): $$KESU_TEST_POSTGRES"; \
		KESU_DATABASE_URL="$$KESU_TEST_POSTGRES" $(BIN)/pytest -m "not browser" > var/test-postgres.log 2>&1 & \
		pg_pid=$$!; \
	else \
		echo "KESU_TEST_POSTGRES is not set: the PostgreSQL run is skipped (CI always sets it)."; \
	fi; \
	echo "== SQLite"; \
	KESU_DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest; sqlite=$$?; \
	if [ -n "$$KESU_TEST_POSTGRES" ]; then \
		wait $$pg_pid; pg=$$?; \
		echo "== PostgreSQL: $$KESU_TEST_POSTGRES"; cat var/test-postgres.log; \
	fi; \
	test $$sqlite -eq 0 && test $$pg -eq 0

messages: $(STAMP)
	cd kesu && ../$(BIN)/kesu makemessages -l zh_Hans -l en --no-obsolete && ../$(BIN)/kesu compilemessages

bench: $(STAMP)
	$(BIN)/python bench/run.py

lock:
	$(PYTHON) -m pip install --quiet uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var/test.sqlite3*
