# greatgame: `make run` (set up and run the baseline scenario), `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
OUT     ?= out

.PHONY: run test bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@PYTHON=$$(tools/find-python) || exit 1; \
	 echo "Using $$PYTHON ($$($$PYTHON --version))"; \
	 [ -x $(PY) ] || $$PYTHON -m venv $(VENV) || exit 1
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/greatgame run abe_2015 --out $(OUT)/abe_2015

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_model.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
