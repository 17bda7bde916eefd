# One command per habit. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench install clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## demo: generate and load demo data into tollgate.db, print its quality, serve the API
demo: $(STAMP)
	$(BIN)/tollgate demo

## test: lint, type check and the whole suite (SQLite and PostgreSQL)
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

## bench: the intake and generator benchmarks (figures in docs/benchmarks.md)
bench: $(STAMP)
	$(BIN)/python bench/bench_intake.py
	$(BIN)/python bench/bench_generator.py

clean:
	rm -rf $(VENV) tollgate.db tollgate.db-wal tollgate.db-shm tollgate-history.duckdb* out
