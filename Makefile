# Every target bootstraps its own virtual environment (.venv) from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## make demo: install, build the demo database (default data dir) and show it
demo: $(STAMP)
	$(BIN)/flowtui demo
	@echo "(flowtui is installed in $(BIN): run 'source $(BIN)/activate' to use it directly)"

## make test: install and run the whole test suite (what CI runs)
test: $(STAMP)
	$(BIN)/python -m pytest -n auto

## make test-fast: skip the slow tests while developing
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -m 'not slow'

## make bench: performance figures (not a test)
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .bench build *.egg-info
