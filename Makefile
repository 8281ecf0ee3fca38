# fitbalance: every command a developer or CI needs. A fresh machine needs only python3, make and git.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
LOWEST := .venv-lowest
BIN := $(VENV)/bin
DB ?= fitbalance.duckdb
CODE := $(wildcard src pipelines tests dashboards bench sample_data)

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120

.PHONY: setup dist demo test test-fast test-lowest check lint typecheck fmt bench bench-flow bench-decode bench-everyday bench-scale bench-views bench-apple sample-data clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# with bytecode, as pip installs a package: every command would otherwise compile its imports again wherever
# PYTHONDONTWRITEBYTECODE is set (CI machines, containers), 0.5-1 s of each command (bench/RESULTS-everyday.md)
$(BIN)/fitbalance: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --extra dev --quiet --compile-bytecode
	$(BIN)/python -m compileall -q src pipelines dashboards
	@touch $@

setup: $(BIN)/fitbalance ## create .venv from the lock file

dist: $(UV) ## build the sdist and the wheel into dist/ (install the wheel with uv tool install or pipx install)
	$(UV) build --out-dir dist

demo: setup ## ingest sample_data/ with the Prefect flow (ephemeral Prefect) into $(DB) and print the weekly summary
	$(BIN)/fitbalance ingest sample_data --db $(DB) --settings sample_data/fitbalance.toml --no-server
	$(BIN)/fitbalance summary --db $(DB)

# Test lanes (README, Development): both in parallel, one pytest-xdist worker per core of this 2-core machine; tests
# that start processes or take ports, and tests sharing a module's fixture, are grouped (tests/conftest.py).
TEST_WORKERS ?= 2
PARALLEL := -n $(TEST_WORKERS) --dist loadgroup
FAST := not slow and not server and not browser and not dask

test: setup ## the whole suite, in parallel: what CI runs
	$(BIN)/pytest $(PARALLEL)

test-fast: setup ## the edit-test loop: no server, browser, Dask cluster or slow test; fewer Hypothesis examples
	$(BIN)/pytest $(PARALLEL) -m "$(FAST)" --hypothesis-profile quick -q

# fitdecode's floor belongs to the FIT reader (issue 14 pins the range it is tested with); until it is raised there, the
# lowest fitdecode this step installs is the first one the reader's tests pass with.
test-lowest: $(UV) ## make test-fast's tests on the lowest versions pyproject.toml allows, in their own venv ($(LOWEST)/)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(LOWEST)
	$(UV) pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e ".[dev]" "fitdecode>=0.11"
	$(LOWEST)/bin/pytest $(PARALLEL) -m "$(FAST)" --hypothesis-profile quick -q -p no:cacheprovider

check: setup ## linters and type checks
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	$(BIN)/mypy

fmt: setup
	$(BIN)/ruff format $(CODE)
	$(BIN)/ruff check --fix $(CODE)

sample-data: setup ## regenerate sample_data/ with the project's own generator (sample_data/synth/, imported as synth)
	$(BIN)/python sample_data/generate.py

# the benchmarks generate their inputs with the sample-data generator, which is not installed: sample_data/ on the path
BENCH := PYTHONPATH=sample_data $(BIN)/python

bench: setup ## cold `fitbalance ingest` CLI to CLI vs a plain fitdecode loop, 600 real-derived FIT files (issue 24); bench/RESULTS.md
	$(BENCH) bench/bench_cold.py --no-server-too

bench-flow: setup ## the Prefect ingest flow in-process vs a plain fitdecode loop (500 generated files); bench/RESULTS.md
	$(BENCH) bench/bench_ingest.py

bench-decode: setup ## FIT decode MB/s per core: columnar path vs fitdecode and the reader, same run; bench/RESULTS-decode.md
	$(BENCH) bench/bench_decode.py

bench-everyday: setup ## the everyday run CLI to CLI (nothing new, re-run of 600, one new among 5,000); bench/RESULTS-everyday.md
	$(BENCH) bench/bench_everyday.py

bench-scale: setup ## 1 vs 2 Dask workers (2,000 files), scheduled run over 5,010 files, peak memory (columnar FIT on/off too); bench/RESULTS-scale.md
	$(BENCH) bench/bench_scale.py
	$(BENCH) bench/bench_scale.py --columnar-memory 500,5000

bench-apple: setup ## Apple Health export.xml: ingest of a generated 300 MB export vs healthkit-to-sqlite, 2 GiB under 500 MB; bench/RESULTS-apple.md
	$(BENCH) bench/bench_apple.py

bench-views: setup ## view benchmark on a generated 10-year history; figures go to bench/RESULTS-views.md
	$(BENCH) bench/bench_views.py

clean:
	rm -rf $(VENV) $(LOWEST) $(TOOLS) .prefect .pytest_cache .mypy_cache .ruff_cache
