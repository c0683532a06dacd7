# coachapp: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := coachapp

.PHONY: run serve test bench lint lint-imports lock lock-upgrade install install-dev demo-large screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs come from the locks in requirements/ (every package pinned, with its hashes): what a
# fresh clone installs today is what was tested. `make lock` renews them after pyproject.toml
# changes, `make lock-upgrade` moves every package to its newest allowed release (README).
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
UV_VERSION := 0.13.9
LOCK_ARGS := --universal --python-version 3.11 --generate-hashes --quiet

$(VENV)/.installed: requirements/app.txt pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements/app.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes --no-deps -r requirements/dev.txt
	$(PIP_INSTALL) --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	$(BIN)/python .ci/check_lock.py
	touch $@ $(VENV)/.installed

$(BIN)/uv: | $(BIN)/python
	$(PIP_INSTALL) uv==$(UV_VERSION)

## Renew requirements/*.txt from pyproject.toml, keeping every pin that still fits.
lock: $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml requirements/build.in $(LOCK_ARGS) $(UPGRADE) \
		-o requirements/app.txt
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_ARGS) \
		$(UPGRADE) -c requirements/app.txt -o requirements/dev.txt
	$(BIN)/python .ci/check_lock.py

## The same, every package moved to its newest release that pyproject.toml allows.
lock-upgrade:
	$(MAKE) lock UPGRADE=--upgrade

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## The app on an embedded SQLite database under instance/, with the small demo program.
run: install
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --scale small --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## Production server: gunicorn with settings from the environment (gunicorn.conf.py, config.py).
serve: install
	$(BIN)/flask db upgrade
	COACHAPP_CONFIG=production $(BIN)/gunicorn -c gunicorn.conf.py 'coachapp:create_app()'

## The whole suite on SQLite (browser tests skip with a message when Chromium is missing).
test: install-dev
	$(BIN)/python -m pytest -n auto

## Benchmark at program scale (bench/README.md): each measure beside its target, Lighthouse (npm,
## installed into bench/lighthouse/node_modules on first use) included; appends to
## bench/RESULTS.md. Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--reuse --skip-lighthouse".
bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## PNGs of the main pages at desktop and phone size, from the small demo, into docs/screenshots/.
screenshots: install-dev
	$(BIN)/python -m tests.browser.screenshots

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## The import contract of pyproject.toml ([tool.importlinter], ARCHITECTURE.md): layers, no circles.
lint-imports: install-dev
	$(BIN)/lint-imports

## The large demo program (200 coaches, 20,000 clients, ~1,000,000 sessions) into DATABASE_URL.
demo-large: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --scale large

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .ci-reports
