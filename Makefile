# Script Ohio: `make serve` and `make test` work on a fresh clone (they create .venv and install).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
CFBD_VERSION := 5.33.1

.PHONY: install serve test lint bench data models clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# cfbd declares pydantic<2 but runs on pydantic 2's pydantic.v1 (see data/cfbd/client.py)
	$(BIN)/python -m pip install --quiet --no-deps 'cfbd==$(CFBD_VERSION)'
	@touch $(STAMP)

install: $(STAMP)

## no data directory: download it from CFBD when CFBD_API_KEY is set, else say how to get it
data: install
	@$(BIN)/scriptohio data where >/dev/null 2>&1 || { \
	  if [ -n "$$CFBD_API_KEY" ]; then $(BIN)/scriptohio data pull --seasons 2014-2025; \
	  else $(BIN)/scriptohio data where; fi; }

## trains the models into the registry if none is there yet (a few seconds)
models: data
	$(BIN)/scriptohio train --if-missing

serve: models
	$(BIN)/scriptohio serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest --durations=20

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	@for f in bench/*.py; do case $$f in *_common.py) continue;; esac; echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
