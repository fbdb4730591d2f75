# Customer-success warehouse. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SCALE ?= small
SEED ?= 42
# Paths are exported absolute: dbt runs from dbt_project/, where a relative path names another
# file. A relative one (environment or command line) is taken from the repository root, as
# orchestration/settings.py does.
ROOT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
absolute = $(if $(filter /%,$(1)),$(abspath $(1)),$(abspath $(ROOT)/$(1)))
override export CS_LANDING_DIR := $(call absolute,$(or $(CS_LANDING_DIR),data/landing))
override export CS_WAREHOUSE_PATH := $(call absolute,$(or $(CS_WAREHOUSE_PATH),data/warehouse.duckdb))
override export CS_SERVING_PATH := $(call absolute,$(or $(CS_SERVING_PATH),data/serving.duckdb))
override export DAGSTER_HOME := $(call absolute,$(or $(DAGSTER_HOME),.dagster_home))
override export CS_SPARK_DIR := $(call absolute,$(or $(CS_SPARK_DIR),data/spark))
# CS_DBT_TARGET=spark builds the dbt models on Apache Spark (README: "Moving to a bigger
# engine"); it, or WITH_SPARK=1 (CI), adds the `spark` dependency group to the environment.
WITH_SPARK ?= $(if $(filter spark,$(CS_DBT_TARGET)),1)
SYNC_GROUPS := $(if $(WITH_SPARK),--group spark)
SYNCED := .venv/.synced $(if $(WITH_SPARK),.venv/.synced-spark)
# uv must use the machine's Python 3.11, never download one.
export UV_PYTHON_DOWNLOADS := never
# Install packages with their bytecode: where PYTHONDONTWRITEBYTECODE is set (as on our CI
# machine) every process would otherwise compile Dagster, dbt and GX from source on import
# (~12 s of CPU per process, and a refresh or test run starts dozens).
export UV_COMPILE_BYTECODE := 1

UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen --no-sync
PY := $(RUN) python

.PHONY: help env manifest run test lint format generate refresh summary dev docs docs-generate \
	bench clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| (echo "Installing uv with pip" && python3 -m pip install --quiet uv)
	@echo "Creating the Python environment from uv.lock (.venv; about a minute the first time)"
	$(UV) sync --frozen --quiet $(SYNC_GROUPS)
	@touch $@

# pyspark (with every Spark jar) and dbt-spark; Java 17 comes from the system.
.venv/.synced-spark: .venv/.synced
	$(UV) sync --frozen --quiet --group spark
	@touch $@

env: $(SYNCED)  ## Create the environment from uv.lock (WITH_SPARK=1: also the Spark group)

# Dagster reads dbt's manifest; it is prepared here, never parsed when Dagster imports.
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := $(shell find dbt_project/dbt_project.yml dbt_project/models dbt_project/macros docs \
	dbt_project/docs dbt_project/seeds dbt_project/tests -type f 2>/dev/null)
$(MANIFEST): $(SYNCED) $(DBT_FILES)
	cd dbt_project && $(RUN) dbt parse --profiles-dir . --quiet
	@touch $@

manifest: $(MANIFEST)  ## Parse the dbt project into target/manifest.json

run: env $(MANIFEST)  ## Everything: environment, demo data if none, full refresh, summary
	@if [ -z "$$(ls -A $(CS_LANDING_DIR) 2>/dev/null)" ]; then \
		echo "No landing data in $(CS_LANDING_DIR): generating the small demo set"; \
		$(MAKE) --no-print-directory generate; fi
	$(PY) -m orchestration.cli refresh
	$(PY) -m orchestration.cli summary

test: env $(MANIFEST)  ## The whole test suite
	$(RUN) pytest -n 2 --dist loadgroup --no-loadscope-reorder --durations=15

# sqlfluff lints with one process per core (--processes 0: on 2 cores half the wall time). Its
# worker pool leaves semaphores for Python's resource tracker, which warns about them at exit
# (sqlfluff/sqlfluff#4080, harmless): that warning alone is silenced.
lint: env  ## ruff (lint + format check) and sqlfluff
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	@if [ -d dbt_project/models ]; then PYTHONWARNINGS=ignore:resource_tracker:UserWarning \
		$(RUN) sqlfluff lint --processes 0 dbt_project/models dbt_project/macros; fi

format: env  ## Apply ruff format and fixes
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

generate: env  ## Demo landing data: make generate SCALE=small|medium|large SEED=n [MONTHS=24]
	$(PY) -m demo_data --scale $(SCALE) --seed $(SEED) --out $(CS_LANDING_DIR) \
		$(if $(CS_AS_OF),--as-of $(CS_AS_OF)) $(if $(MONTHS),--months $(MONTHS))

refresh: env $(MANIFEST)  ## Materialise every asset on what is in the landing folder
	$(PY) -m orchestration.cli refresh

summary: env  ## Rows per table, quarantine, where outputs are
	$(PY) -m orchestration.cli summary

dev: env $(MANIFEST)  ## Dagster UI on http://localhost:3000
	@$(PY) -m orchestration.cli dagster-home >/dev/null
	$(RUN) dagster dev -m orchestration.definitions

docs: docs-generate  ## dbt docs (lineage, model and column docs) on http://localhost:8080
	cd dbt_project && $(RUN) dbt docs serve --profiles-dir . --port 8080

# The catalog is read from the warehouse; on a fresh clone it is created empty (no columns
# from the database then, the yml docs and lineage are all there).
docs-generate: env $(MANIFEST)  ## Write the dbt docs site into dbt_project/target without serving it
	@mkdir -p "$(dir $(CS_WAREHOUSE_PATH))"
	cd dbt_project && $(RUN) dbt docs generate --profiles-dir . --quiet

bench: env $(MANIFEST)  ## Benchmark: make bench SCALE=small|medium|large [SEED=n] [MONTHS=24]
	$(PY) -m bench.run --scale $(SCALE) --seed $(SEED) $(if $(MONTHS),--months $(MONTHS))

clean:  ## Remove generated data, warehouse and Dagster history (keeps the environment)
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
