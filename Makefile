# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
export PYTHONPATH := $(CURDIR)
# Emailed links follow HOST and PORT, unless SITE_URL is set in the environment, on the
# command line or in .env (a proxy's public address, say).
ifeq ($(origin SITE_URL)$(shell grep -Eqs '^[[:space:]]*(export[[:space:]]+)?SITE_URL=' .env && echo set),undefined)
RUN_SITE_URL := SITE_URL=http://$(HOST):$(PORT)
endif

.PHONY: run test install lint bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed .env

# A local .env with a generated secret, made once; the environment always wins over it.
.env:
	@echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "DEBUG=true" >> .env
	@echo "Wrote .env with a new SECRET_KEY (kept out of git)."

var:
	mkdir -p var/broker/out var/broker/processed var/broker/control

run: install var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Open http://$(HOST):$(PORT)/ and sign in with a demo login above."
	@echo "  Web, Celery worker and beat are starting; Ctrl-C stops all three."
	@echo ""
	APP_HOST=$(HOST) APP_PORT=$(PORT) $(RUN_SITE_URL) $(BIN)/honcho start --env /dev/null

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	DEBUG=false SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
		ALLOWED_HOSTS=practice.example $(BIN)/python manage.py check --deploy --fail-level WARNING

test: lint var
	$(BIN)/pytest

bench: install var
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
