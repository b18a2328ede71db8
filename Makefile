# gatys: two commands do all the set-up — `make figures` (the main job) and `make test`.
# Both create .venv and install the package first when needed (`make setup`).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PROFILE ?= auto

.PHONY: help setup test lab figures smoke data demo app bench clean
.PHONY: test-browser

help:
	@echo "make setup    create $(VENV) and install gatys with the notebook and test extras"
	@echo "make test     run the test suite (installs first when needed)"
	@echo "make test-browser  the walkthrough in JupyterLab + Chromium (docs/browser-test.md)"
	@echo "make figures  regenerate the paper's figures into figures/ (fetches missing images)"
	@echo "make smoke    run every notebook in smoke mode (tiny sizes) into build/smoke/"
	@echo "make data     download the paper's images into \$$GATYS_DATA (default: data/ here)"
	@echo "make app      the sliders as a page without code (Voila): photo, painting, alpha/beta, Run"
	@echo "make demo     the Neckarfront in Starry Night's style in about a minute (after make data)"
	@echo "make bench    per-iteration floor, time to quality at 512/1024 px, memory (hours on a CPU)"
	@echo "make lab      start JupyterLab on notebooks/"

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --progress-bar off -e '.[notebooks,test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest

# The walkthrough driven in Debian's chromium by Playwright (about a minute; docs/browser-test.md).
$(VENV)/.browser-stamp: $(STAMP)
	$(BIN)/python -m pip install --progress-bar off -e '.[notebooks,test,browser,app]'
	touch $@

# The explorer as a page (Voila); PORT=8866 by default. Ctrl-C stops it.
PORT ?= 8866
$(VENV)/.app-stamp: $(STAMP)
	$(BIN)/python -m pip install --progress-bar off -e '.[notebooks,app]'
	touch $@

app: $(VENV)/.app-stamp
	@echo "gatys app: open http://127.0.0.1:$(PORT)/ in a browser (Ctrl-C stops it)"
	$(BIN)/voila notebooks/app.ipynb --no-browser --port=$(PORT) --Voila.ip=127.0.0.1

test-browser: $(VENV)/.browser-stamp
	GATYS_BROWSER_TEST=1 $(BIN)/python -m pytest tests/browser -p no:cacheprovider -s

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

# PROFILE=quick writes into build/quick/ (a first look; its seconds: figures/timings-quick.json).
figures: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py --profile $(PROFILE) --fetch
	if [ "$(PROFILE)" != quick ]; then \
		$(BIN)/python -m gatys.experiments.findings notebooks/*.ipynb; fi

smoke: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py --profile smoke --output build/smoke/figures \
		--cache build/smoke/cache --executed build/smoke/notebooks

data: $(STAMP)
	$(BIN)/python -m gatys.io.data

demo: $(STAMP)
	$(BIN)/python -m gatys.ui.demo

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
