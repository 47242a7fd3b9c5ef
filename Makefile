# Quick start: `make demo` (set up + run the main job on the embedded example) and
# `make test` (set up + run the test suite). Both create .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= siting-demo

.PHONY: setup demo test bench browser fonts clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	touch $(STAMP)

setup: $(STAMP)

browser:
	bash scripts/install-browser.sh

# a Chinese font for the PNG/PDF outputs; warns (never fails) without root, apt or network
fonts:
	bash scripts/install-fonts.sh

demo: setup fonts
	$(BIN)/siting demo --out $(OUT)

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench_distances.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
