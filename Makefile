# Every target sets up what it needs, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-kafka test bench lint typecheck unit chromium install install-test constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps are keyed on pyproject.toml and constraints.txt so a dependency change reinstalls.
# constraints.txt pins every package to the versions CI passed with.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: $(VENV)/.installed
	$(BIN)/convtrack demo
	$(BIN)/convtrack report

# The Kafka demo keeps its own store and writes its report from it (DATA_DIR/demo-kafka/).
demo-kafka: $(VENV)/.installed
	$(BIN)/convtrack demo --kafka

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

# The static report is tested in a headless browser: Debian's chromium (CI runs as root).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

unit: install-test chromium
	$(BIN)/pytest

test: lint typecheck unit

# Speed and memory targets, as ratios to baselines measured in the same run; writes
# docs/benchmarks.md. Not part of `make test`: timings do not belong in pass/fail tests.
bench: install-test
	$(BIN)/python -m bench

# Re-resolves the newest releases pyproject.toml allows, in a throw-away venv, and pins them;
# run `make test` after it, and commit constraints.txt only if that passes.
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet -e '.[test]'
	{ sed -n '/^#/p' constraints.txt; \
	  .venv-constraints/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) .convtrack .mypy_cache .ruff_cache .pytest_cache .hypothesis
