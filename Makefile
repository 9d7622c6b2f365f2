# Two commands on a fresh machine:  `make book`  and  `make test`  (see README.md).
# The pinned environment (requirements.txt) is made for Python 3.11: use python3.11 when it
# is on the PATH, else python3 (checked below); override with `make PYTHON=/path/to/python3.11`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || echo python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
SUPPORTED_PYTHON := 3.11

.PHONY: setup book serve lab test homework clean check-python

## Fail at once, in one line, on a Python the pinned requirements were not made for.
check-python:
	@$(PYTHON) scripts/check_python.py $(SUPPORTED_PYTHON) $(if $(wildcard $(BIN)/python),$(BIN)/python)

$(BIN)/jupyter-book: requirements.txt pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt -e .
	touch $@

setup: check-python $(BIN)/jupyter-book

## Build the book with fresh execution; open _build/html/index.html or run `make serve`.
book: setup
	OPTLIB_QUIET=1 $(BIN)/jupyter-book build . --all -W -n --keep-going
	@echo "Book built: open _build/html/index.html, or run 'make serve' and visit http://127.0.0.1:8000"

serve:
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## Start JupyterLab on the chapters (run and edit the notebooks).
lab: setup
	$(BIN)/jupyter lab chapters/

## Every test: optlib unit tests, nbval over every notebook, the -W book build, the browser test.
test: setup
	PATH="$(abspath $(BIN)):$$PATH" bash scripts/test.sh

## Export chapters as otter-grader assignments into homework/out/ (CHAPTERS="03_gradient_descent ..." or all).
homework: setup
	$(BIN)/python -m homework $(CHAPTERS)

clean:
	rm -rf _build
