# One environment in .venv, created on first use. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: install translations run test lint messages totp clean cluster cluster-stop cluster-test restore-drill

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(INSTALLED)

translations: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v0

# The embedded default: SQLite, local private files, tasks in-process, e-mail to the console.
run: translations
	DEBUG=1 $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=1 SITE_URL=http://$(HOST) $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: translations
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .

# Re-extract every app's strings into <app>/locale/zh_Hans; translate the new ones, then `make translations`.
messages: install
	$(BIN)/python manage.py app_messages

# Current one-time code of a demo staff account: make totp NAME=unit_guangzhou
totp: install
	@$(BIN)/python manage.py demo_totp $(NAME)

# The production topology on one machine (deploy/cluster.sh; needs Debian's nginx and PostgreSQL server packages):
# nginx + two app servers + Celery worker and beat + PostgreSQL primary and streaming replica + Redis + S3 (moto).
cluster: translations
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

# Starts the cluster, runs the smoke test through nginx (deploy/cluster_test.py), stops everything (even on failure).
cluster-test: translations
	deploy/cluster.sh test

# Backup of the running cluster (deploy/backup.sh), restored into a fresh database and bucket, then verified.
restore-drill: translations
	deploy/restore_drill.sh

clean:
	rm -rf $(VENV) var db.sqlite3 test-results
