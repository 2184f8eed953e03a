# One environment in .venv, created on first use. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: install translations run test lint messages totp clean

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

clean:
	rm -rf $(VENV) var db.sqlite3 test-results
