# Maillage — the two commands: `make run` and `make test` (and `make serve`, the production stack).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: install system-packages system-packages-test run serve serve-web serve-worker serve-worker-mail test test-postgres quality format bench \
	bench-search bench-start bench-exports bench-observatory loadtest drills clean

# Debian packages (deploy/debian-packages.sh): installed when run as root, else the apt-get line to run.
system-packages:
	bash deploy/debian-packages.sh runtime

system-packages-test:
	bash deploy/debian-packages.sh test

$(STAMP): pyproject.toml | system-packages
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: system-packages $(STAMP)

# `make run PORT=8001` serves on another port (links of e-mails follow, see deploy/run-dev.sh).
PORT ?= 8000
run: install
	$(BIN)/maillage migrate --noinput
	$(BIN)/maillage bootstrap_demo
	PORT=$(PORT) bash deploy/run-dev.sh

# Production stack (config.settings.prod) on this machine: migrations and static files, then each process of
# SERVE_PROCESSES as its serve-<name> target, side by side: gunicorn, the background-task worker and the e-mail
# worker (e-mails never wait behind a long import).
SERVE_PROCESSES := web worker worker-mail
serve: install
	bash deploy/serve.sh prepare
	$(MAKE) --no-print-directory -j $(words $(SERVE_PROCESSES)) $(addprefix serve-,$(SERVE_PROCESSES))

serve-web:
	exec bash deploy/serve.sh web

serve-worker:
	exec bash deploy/serve.sh worker

serve-worker-mail:
	exec bash deploy/serve.sh worker-mail

test: system-packages-test install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

quality: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/maillage makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$($(BIN)/python -c "import secrets;print(secrets.token_urlsafe(64))") \
		ALLOWED_HOSTS=maillage.example.org $(BIN)/maillage check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m maillage.demo.bench $(BENCH_ARGS)
	$(MAKE) bench-search
	$(MAKE) bench-exports
	$(MAKE) bench-observatory

# Search latency on 100,000 generated sheets, in a scratch SQLite database kept between runs.
BENCH_SEARCH_DB ?= var/bench-search.sqlite3
bench-search: install
	DATABASE_URL=sqlite:///$(abspath $(BENCH_SEARCH_DB)) $(BIN)/maillage migrate --noinput -v0
	DATABASE_URL=sqlite:///$(abspath $(BENCH_SEARCH_DB)) $(BIN)/maillage bench_search $(BENCH_SEARCH_ARGS)

# A server's start on the database of bench-search (run it first): readiness, memory per worker, first searches.
bench-start: install
	$(BIN)/python -m maillage.ops.bench_start --database sqlite:///$(abspath $(BENCH_SEARCH_DB)) $(BENCH_START_ARGS)

# Web exports (CSV, XLSX, JSON) of 100,000 generated sheets through the view.
bench-exports: install
	$(BIN)/python -m maillage.demo.bench_exports --database $(abspath var/bench-exports.sqlite3) $(BENCH_EXPORTS_ARGS)

# Observatory reports and PDF on 4,000 generated structures × 5 years of answers (database kept between runs,
# brought up to the latest migrations at each run).
BENCH_OBSERVATORY_DB ?= var/bench-observatory.sqlite3
bench-observatory: install
	test -f $(BENCH_OBSERVATORY_DB) || { \
		DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage migrate --noinput -v0 && \
		DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage seed_demo --structures 4000 --actions 0; }
	DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage migrate --noinput -v0
	DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage bench_observatory $(BENCH_OBSERVATORY_ARGS)

# Load test of the production stack on a free loopback port (deploy/loadtest.sh; docs/benchmarks.md « Charge »):
# 32 visitors for 2 minutes on var/loadtest.sqlite3 (100,000 sheets, made the first time), or on DATABASE_URL.
loadtest: install
	bash deploy/loadtest.sh

# Fault drills under load (deploy/drills/, written down in docs/drills.md); root for the full disk (a tmpfs).
drills: install
	bash deploy/drills/kill-web-worker.sh
	bash deploy/drills/restart-postgresql.sh
	$(BIN)/python deploy/drills/full_disk_upload.py
	bash deploy/drills/kill-task-worker.sh

clean:
	rm -rf $(VENV) var/maillage.sqlite3* .pytest_cache .ruff_cache
