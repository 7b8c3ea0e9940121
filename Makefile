# Loket - the two commands a newcomer needs are `make demo` and `make test`.
# uv is bootstrapped into .tools/ with the local Python 3.13 (no interpreter is ever downloaded).

PYTHON ?= python3.13
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
PG_URL ?= postgres://postgres@127.0.0.1:5432/loket

export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install system-packages messages demo serve test lint fmt types test-sqlite test-postgres bench triage-score clean

$(UV):
	@test -n "$(UV_PYTHON)" || { echo "Python 3.13 not found: install it (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.13"; exit 1; }
	$(UV_PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Python writes no bytecode on these machines (PYTHONDONTWRITEBYTECODE): without compiled files
# every command would compile Loket and Django from source on each start (issue 13). The
# dependencies are compiled by uv, Loket's own source by compileall (the files are git-ignored).
install: $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	$(BIN)/python -m compileall -q -j 0 src/loket
	@$(MAKE) --no-print-directory messages

# Compiled catalogs are build output: made from the committed .po files on every install.
messages:
	@command -v msgfmt >/dev/null || scripts/system-packages gettext
	# -P: src/loket/calendar must not shadow the standard library calendar module.
	cd src/loket && env -u DJANGO_SETTINGS_MODULE ../../$(BIN)/python -P -m django compilemessages -v 0

system-packages:
	scripts/system-packages chromium gettext fonts-noto-cjk dovecot-imapd systemd clamav-daemon

demo: install
	$(BIN)/loket demo

serve: install
	$(BIN)/loket serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

types: install
	$(BIN)/mypy src tests bench

test: install system-packages lint types test-sqlite test-postgres

test-sqlite: install
	DATABASE_URL= $(BIN)/pytest

# Under CI=true a PostgreSQL that cannot be reached fails the run; elsewhere it is reported.
test-postgres: install
	@if $(BIN)/python scripts/postgres-ready "$(PG_URL)"; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(PG_URL) is required when CI=true"; exit 1; \
	else \
		echo "!! PostgreSQL at $(PG_URL) not reachable: the PostgreSQL half of the suite did NOT run"; \
	fi

bench: install
	$(BIN)/python -m bench.calendar_add
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.whatsapp_webhook
	$(BIN)/python -m bench.sla_sweep
	$(BIN)/python -m bench.mail_ingest
	$(BIN)/python -m bench.write_path $(if $(BASELINE),--baseline $(BASELINE))
	$(BIN)/python -m bench.startup
	$(BIN)/python -m bench.soak
	$(BIN)/python -m bench.scaleout

# Redaction and triage against the labelled corpora in tests/fixtures/triage (issue 9).
triage-score: install
	$(BIN)/python -m bench.redaction
	$(BIN)/python -m bench.triage

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
