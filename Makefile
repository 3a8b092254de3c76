# Pipeline: spec/ --(codegen)--> generated/ + tests/generated/ --(pytest)--> green.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DOCS ?= ../shared/b24restdocs

.PHONY: all setup generate check lint fmt typecheck test test-fast fuzz demo interop bench import-docs diff openapi docs clean

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

# The API reference site: a page per namespace from the specs, plus the guides; MkDocs
# (Material) builds it in strict mode into build/docs/site/ (open index.html).
DOCS_INSTALLED := $(VENV)/.docs-installed
$(DOCS_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_INSTALLED)

docs: $(DOCS_INSTALLED)
	$(BIN)/python -m codegen.site --out build/docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet -f build/docs/mkdocs.yml

check: $(INSTALLED)
	$(BIN)/python -m codegen check

lint: $(INSTALLED)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

# Format and autofix the hand-written code as lint expects it (generate formats its own output).
fmt: $(INSTALLED)
	$(BIN)/python -m ruff check --fix --quiet .
	$(BIN)/python -m ruff format --quiet .

# mypy --strict on the real layout: the package as users import it (runtime, emulator and the
# generated modules) and the generator.
typecheck: $(INSTALLED)
	$(BIN)/python -m mypy -p b24client -p codegen

test-fast: $(INSTALLED)
	$(BIN)/python -m pytest -n 2 -q

# The whole suite: generated output up to date, lint, types, then every test.
test: check lint typecheck test-fast

# The property tests of bad input with many more examples than the default run (minutes).
fuzz: $(INSTALLED)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q tests/runtime/test_bad_input.py

demo: setup
	$(BIN)/python examples/demo.py
	$(BIN)/python examples/paysystem_app.py

# Third-party clients (fast_bitrix24, b24pysdk, the official JS SDK) run a scenario against the
# emulator (interop/). It installs them into .interop/ from the package registries (pip, npm),
# so it is not part of `make test`. Exit 1 when any step of any peer fails.
interop: $(INSTALLED)
	PYTHON=$(PYTHON) bash interop/setup.sh
	.interop/venv/bin/python -m interop.run

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
