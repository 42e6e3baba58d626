# greatgame: `make run` (set up, run the baseline scenario, write its figures and report), `make test`.
# The venv holds the app's extra too (`greatgame app`); `make test` runs the browser tests (tests/test_app.py),
# which need Debian's chromium (.ci/run installs it on CI).
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
	@echo "Installing greatgame and its dependencies into $(VENV) (log: $(VENV)/install.log) ..."
	@{ $(PY) -m pip install --upgrade pip && $(PY) -m pip install -e '.[dev,app]'; } > $(VENV)/install.log 2>&1 \
	 || { tail -n 30 $(VENV)/install.log; echo "make: installing into $(VENV) failed; full log in $(VENV)/install.log" >&2; exit 1; }
	@touch $(STAMP)

# The headline with intervals: 40 paired runs of the baseline (history: the record 2015-2025,
# each pair with its parameters drawn from the shipped calibration, data/posteriors/history,
# then on to 2030) with and without Japan's initiatives (enough to draw 5-95% bands), then its
# figures and report. --force: out/history is this target's own folder.
run: $(STAMP)
	$(VENV)/bin/greatgame wedge history --replicates 40 --posterior history --out $(OUT)/history --force
	@echo
	@echo "Figures and report of the baseline (from the saved results; nothing is re-run):"
	@$(VENV)/bin/greatgame plot $(OUT)/history
	@$(VENV)/bin/greatgame report $(OUT)/history
	@echo "Open $(OUT)/history/report.html in a browser; figures in $(OUT)/history/figures/"

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) bench/bench_model.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
