# Maillage — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: install run test test-postgres quality format bench bench-search bench-exports bench-observatory clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/maillage migrate --noinput
	$(BIN)/maillage bootstrap_demo
	$(BIN)/maillage runserver 127.0.0.1:8000

test: install
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

# Web exports (CSV, XLSX, JSON) of 100,000 generated sheets through the view.
bench-exports: install
	$(BIN)/python -m maillage.demo.bench_exports --database $(abspath var/bench-exports.sqlite3) $(BENCH_EXPORTS_ARGS)

# Observatory reports and PDF on 4,000 generated structures × 5 years of answers (database kept between runs).
BENCH_OBSERVATORY_DB ?= var/bench-observatory.sqlite3
bench-observatory: install
	test -f $(BENCH_OBSERVATORY_DB) || { \
		DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage migrate --noinput -v0 && \
		DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage seed_demo --structures 4000 --actions 0; }
	DATABASE_URL=sqlite:///$(abspath $(BENCH_OBSERVATORY_DB)) $(BIN)/maillage bench_observatory $(BENCH_OBSERVATORY_ARGS)

clean:
	rm -rf $(VENV) var/maillage.sqlite3* .pytest_cache .ruff_cache
