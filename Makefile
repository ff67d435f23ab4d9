# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The CPU build of torch (a plain `torch` may pull a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test venv bench clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip setuptools wheel
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install "$(TORCH_SPEC)"

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -e ".[test]"
	touch $@

venv: $(VENV)/.installed

demo: venv
	$(BIN)/hyperlab tour --out runs/lessons/tour && echo "make demo: open runs/lessons/tour/tour.html (one report per lesson in runs/lessons/tour/<lesson>/report.html)"
	@echo "make demo: to turn the knobs yourself and watch training live, start the lab: $(BIN)/hyperlab lab  (then open http://127.0.0.1:8765/)"

# What the tests use for real (PostgreSQL, Chromium) comes from Debian packages.
system-deps:
	@bash scripts/system-deps.sh

test: venv system-deps
	$(BIN)/python -m pytest -n 2 tests

bench: venv
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) runs .pytest_cache
