# The front door: `make book` renders the guide, `make test` checks it. Both use .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: book test check quick lab sync clean help venv bench reference

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt  # its last line installs this project, editable
	touch $(STAMP)

venv: $(STAMP)  ## create or refresh .venv from requirements.txt

book: $(STAMP)  ## execute every notebook in the full profile and render _build/html
	PERFGUIDE_PROFILE=full jupyter-book build . -W --keep-going

quick: $(STAMP)  ## the same in the quick profile, into _build/quick (what the tests build)
	PERFGUIDE_PROFILE=quick PERFGUIDE_RESULTS=$(CURDIR)/_build/quick/results \
		jupyter-book build . -W --keep-going --path-output _build/quick

test: $(STAMP)  ## everything: unit tests, source rules, quick-profile book build, browser checks
	pytest

check: $(STAMP)  ## the fast part of `make test`: unit tests and source rules, no book build (< 1 min)
	PERFGUIDE_CHECK=1 pytest -m "not slow" -q -p no:cacheprovider

lab: $(STAMP)  ## JupyterLab on notebooks/ (quick profile unless PERFGUIDE_PROFILE is set)
	@echo "JupyterLab, profile $${PERFGUIDE_PROFILE:-quick} (PERFGUIDE_PROFILE=full make lab for the"
	@echo "book's sizes); results go to _build/lab/results. Open name.ipynb, or name.md with"
	@echo "Open With > Notebook; both stay paired. Before committing, \`make sync\` drops outputs."
	PERFGUIDE_PROFILE=$${PERFGUIDE_PROFILE:-quick} PERFGUIDE_RESULTS=$(CURDIR)/_build/lab/results \
		jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

bench: $(STAMP)  ## print each speed goal with the ratio measured by the last `make book`
	python -m chapters.bench _build/results

reference: book quick  ## record the last full and quick builds as the reference run in results/reference/
	for profile in full quick; do \
		rm -rf results/reference/$$profile && mkdir -p results/reference/$$profile; done
	cp _build/results/*.json results/reference/full/
	cp _build/quick/results/*.json results/reference/quick/

sync:  ## bring edits made in either file of a pair into the .md, then clear the .ipynb outputs
	jupytext --sync notebooks/*.md
	jupyter nbconvert --clear-output --inplace --log-level=WARN notebooks/*.ipynb

clean:  ## remove everything built (the .venv stays)
	rm -rf _build
