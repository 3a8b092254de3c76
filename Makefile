# Pipeline: spec/ --(codegen)--> generated/ + tests/generated/ --(pytest)--> green.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DOCS ?= ../shared/b24restdocs

.PHONY: all setup generate check lint typecheck test test-fast demo bench import-docs openapi clean

all: setup

setup: $(INSTALLED) generate

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

generate: $(INSTALLED)
	$(BIN)/python -m codegen generate

# The OpenAPI 3.1 document of every method (also written by generate, compared by check),
# then validated whole: the OpenAPI structure and every JSON Schema in it.
openapi: $(INSTALLED)
	$(BIN)/python -m codegen.openapi --validate

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

demo: setup
	$(BIN)/python examples/demo.py

bench: $(INSTALLED)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/scale.py

import-docs: $(INSTALLED)
	$(BIN)/python -m codegen.importer --docs $(DOCS) --out spec

clean:
	rm -rf $(VENV) .bench
