# 重点工作督查分析 — build, test and explore.  `make` alone lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

RAW    ?=
OUT    ?=
AS_OF  ?=
FORCE  ?=
PREVIOUS ?=
PROFILE ?=
EXECUTOR ?=
JOBS   ?=

BUILD_ARGS := $(if $(RAW),--raw "$(RAW)") $(if $(OUT),--out "$(OUT)") $(if $(AS_OF),--as-of "$(AS_OF)") $(if $(FORCE),--force) $(if $(JOBS),--jobs $(JOBS)) $(if $(PREVIOUS),--previous "$(PREVIOUS)") $(if $(PROFILE),--profile "$(PROFILE)") $(if $(EXECUTOR),--executor "$(EXECUTOR)") $(if $(ACCEPT_DAMAGED),--accept-damaged)

.DEFAULT_GOAL := help
.PHONY: help setup system reports watch test test-fast lint lab evaluate benchmark strip check-notebooks clean

help: ## List the targets (this message)
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}'
	@echo "  Variables: RAW=<raw table> OUT=<folder> AS_OF=YYYY-MM-DD PREVIOUS=<previous table or OUT folder> PROFILE=<office profile> EXECUTOR=local|tcp://host:port FORCE=1 FORCE_COMPARE=1 JOBS=N"

$(VENV)/.installed: requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "setup: Python 3.11 or newer is needed (found: $$($(PYTHON) --version)); run: make PYTHON=python3.11 ..." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "setup: could not create $(VENV); on Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

system: ## Install system packages (CJK font, Pango, poppler) where missing
	@bash scripts/setup_system.sh

setup: system $(VENV)/.installed ## Create the virtual environment from the pinned requirements

reports: setup ## Build the clean table, classification and all reports from RAW
	$(BIN)/python -m src.builder $(BUILD_ARGS)

watch: setup ## Build, then rebuild whenever overrides.csv, data/raw/ or data/reference/ change (Ctrl-C stops)
	$(BIN)/python -m src.builder --watch $(BUILD_ARGS)

test: setup ## Run the whole test suite (lint first; what CI runs)
	@bash scripts/setup_system.sh --test
	$(BIN)/python -m ruff check .
	$(BIN)/python -m pytest

test-fast: setup ## Everyday tests: everything but the builds, notebook runs and browser (under a minute)
	$(BIN)/python -m pytest -m "not slow" -q

lint: setup ## Lint the code (ruff, configured in pyproject.toml)
	$(BIN)/python -m ruff check .

lab: setup ## Open JupyterLab at the project root on the explore notebook (Chinese interface)
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.app_settings_dir="$(CURDIR)/config/jupyterlab" --LabApp.default_url=/lab/tree/notebooks/explore.ipynb notebooks/explore.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

evaluate: setup ## Measure the classifier against the reference labels (prints figures)
	$(BIN)/python benchmarks/evaluate_classifier.py

benchmark: setup ## Time the build against the naive way (prints figures; PROVINCE=1 adds the 100x table end to end)
	$(BIN)/python benchmarks/bench_build.py $(if $(PROVINCE),--province)

strip: setup ## Strip outputs from notebooks before committing
	$(BIN)/python scripts/nbtools.py strip

check-notebooks: setup ## Check notebooks: one parameters cell, no outputs
	$(BIN)/python scripts/nbtools.py check

clean: ## Remove build outputs (data/processed, reports), keep the environment
	find data/processed reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

.PHONY: collect-out collect-in
collect-out: setup ## Send each lead unit its pre-filled workbook: PERIOD=2020-09-30 [SOURCE=<last table or OUT>] [DEADLINE=YYYY-MM-DD]
	$(BIN)/python -m src.collect out --period "$(PERIOD)" $(if $(SOURCE),--source "$(SOURCE)") $(if $(DEADLINE),--deadline "$(DEADLINE)")

collect-in: setup ## Read the units' returns into a new summary table in data/raw/: FROM=<folder> [PERIOD=…]
	$(BIN)/python -m src.collect in --from "$(FROM)" $(if $(PERIOD),--period "$(PERIOD)")

IDS ?=
FROM ?=
.PHONY: carry-overrides overrides periods
carry-overrides: setup ## Carry last period's overrides of chosen tasks over to this period (IDS=12,40 or IDS=all)
	$(BIN)/python -m src.compare.periods carry --ids "$(IDS)" $(if $(OUT),--data "$(OUT)/data")

overrides: setup ## Turn the 状态 / 认定理由 edited in the office workbook into this period's overrides (FROM=….xlsx; shows the changes first)
	$(BIN)/python -m src.classify.workbook_overrides "$(FROM)" $(if $(OUT),--data "$(OUT)/data") $(if $(YES),--yes)

periods: setup ## List the kept periods (data/periods/)
	$(BIN)/python -m src.compare.periods list $(if $(OUT),--data "$(OUT)/data")
