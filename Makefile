# Every target sets up what it needs, so `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo demo-kafka test bench lint typecheck unit chromium install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps are keyed on pyproject.toml so a dependency change reinstalls.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: $(VENV)/.installed
	$(BIN)/convtrack demo
	$(BIN)/convtrack report

demo-kafka: $(VENV)/.installed
	$(BIN)/convtrack demo --kafka
	$(BIN)/convtrack report

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

clean:
	rm -rf $(VENV) .convtrack .mypy_cache .ruff_cache .pytest_cache .hypothesis
