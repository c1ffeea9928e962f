# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3.12 2>/dev/null || command -v python3.13 2>/dev/null || command -v python3 2>/dev/null)
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test install bench bench-inbox check eval lint clean

# A Python older than 3.11 is refused before any .venv exists, and a failed setup removes the
# half-made .venv, so the next make starts clean instead of tripping on it.
$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 not found; install it or run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); 3.11 or newer is needed: run 'make PYTHON=/path/to/python3.11 ...'" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

$(STAMP_RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(STAMP_TEST): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(STAMP_RUN)

install: $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/article-bot run

test: $(STAMP_TEST)
	$(BIN)/python -m pytest

check: $(STAMP_RUN)
	$(BIN)/article-bot check knowledge/

eval: $(STAMP_RUN)
	$(BIN)/article-bot eval tests/eval_questions.yaml

lint: $(STAMP_TEST)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	$(BIN)/ruff check bot tests
	$(BIN)/mypy bot

bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_drafting.py
	$(BIN)/python benchmarks/bench_draft_answers.py

bench-inbox: $(STAMP_RUN)
	$(BIN)/python benchmarks/bench_inbox.py
	$(BIN)/python benchmarks/bench_crash.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
