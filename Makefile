# Two commands do everything on a fresh machine: `make` builds the report, `make test` tests it.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: all build test check lint bench clean wheel
all: build

$(VENV)/.installed: pyproject.toml scripts/setup.sh
	bash scripts/setup.sh
	touch $@

build: $(VENV)/.installed
	$(BIN)/reportbuild build

check: $(VENV)/.installed
	$(BIN)/reportbuild check --strict

test: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/reportbuild check --strict
	$(BIN)/pytest -q -n 2

# the built wheel, installed into a fresh venv, builds a new project and this report (CI runs it)
wheel:
	bash scripts/wheel-check.sh

bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py

clean:
	rm -rf output .reportbuild-cache
