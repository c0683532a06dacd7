# coachapp: `make run` serves the demo on http://127.0.0.1:5000, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := coachapp

.PHONY: run serve test bench lint install install-dev demo-large screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.installed

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
	$(BIN)/python -m pytest

## Benchmark at program scale (bench/README.md); appends to bench/RESULTS.md.
bench: install-dev
	$(BIN)/python -m bench.run

## PNGs of the main pages at desktop and phone size, from the small demo, into docs/screenshots/.
screenshots: install-dev
	$(BIN)/python -m tests.browser.screenshots

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The large demo program (200 coaches, 20,000 clients, ~1,000,000 sessions) into DATABASE_URL.
demo-large: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo-data --scale large

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .ci-reports
