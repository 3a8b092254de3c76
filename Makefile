# Pipeline: spec/ --(codegen)--> generated/ + tests/generated/ --(pytest)--> green.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DOCS ?= ../shared/b24restdocs

.PHONY: all setup generate check lint typecheck test test-fast fuzz demo bench import-docs diff clean

all: setup

setup: $(INSTALLED) generate

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

generate: $(INSTALLED)
	$(BIN)/python -m codegen generate

check: $(INSTALLED)
	$(BIN)/python -m codegen check

lint: $(INSTALLED)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check generated tests/generated

typecheck: $(INSTALLED)
	$(BIN)/python tools/typecheck.py

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -n 2 -q

# The whole suite: generated output up to date, lint, types, then every test.
test: check lint typecheck test-fast

# The property tests of bad input with many more examples than the default run (minutes).
fuzz: $(INSTALLED)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/runtime/test_bad_input.py

demo: setup
	$(BIN)/python examples/demo.py

bench: $(INSTALLED)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py

# API changes between REV's spec/ and the work tree's (or NEW), breaking first; exit 1 if any breaks.
REV ?= HEAD
diff: $(INSTALLED)
	$(BIN)/python -m codegen diff $(REV) $(NEW) $(if $(FORMAT),--format $(FORMAT))

import-docs: $(INSTALLED)
	$(BIN)/python -m codegen.importer --docs $(DOCS) --out spec

clean:
	rm -rf $(VENV) .bench
