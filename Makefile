# knowledge-service: every target sets up .venv first (pip, with the local CPU torch wheel).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
KS := $(VENV)/bin/knowledge-service
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
EVAL_DATA ?= ../shared/eval-data
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# Browser tests use Debian's /usr/bin/chromium; Playwright must never download one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install lock demo test lint typecheck bench check eval calibrate clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: this takes the local CPU wheel; an unpinned torch pulls CUDA.
	$(PY) -m pip install -q torch==2.13.0
	# the rest at the versions the suite last passed with (constraints.txt; make lock)
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Record the installed versions as the known-good set (after an upgrade has passed make test).
lock: install
	{ sed -n '/^#/p' constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -v '^torch=='; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

demo: install
	@# a store left by an earlier release is brought to this one's schema (a new one is made)
	$(KS) db upgrade
	$(KS) import
	@# SYNTHETIC questions and ratings (caller demo-traffic), so insights has two weeks to show;
	@# adds nothing to a store it already seeded.
	$(KS) demo seed-traffic
	@echo "An admin key for the demo (sign in to the pages with it, or paste it into /docs -> Authorize):"
	@$(KS) keys create --role admin --name demo-admin-$$(date +%s)
	@echo "Pages:"
	@echo "  sign in        http://$(HOST):$(PORT)/ui/login"
	@echo "  agent assist   http://$(HOST):$(PORT)/ui/assist"
	@echo "  review         http://$(HOST):$(PORT)/ui/review"
	@echo "  insights       http://$(HOST):$(PORT)/ui/insights"
	@echo "  API (Swagger)  http://$(HOST):$(PORT)/docs"
	@echo "  API (ReDoc)    http://$(HOST):$(PORT)/redoc"
	$(KS) serve --host $(HOST) --port $(PORT)

# The suite on every core, at most 4 workers (pytest-xdist: each worker loads the model, its
# own PostgreSQL cluster and a browser); TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= auto
test: install
	scripts/ensure_chromium.sh
	scripts/ensure_postgres.sh
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 4

lint: install
	$(VENV)/bin/ruff check knowledge_service tests scripts
	$(VENV)/bin/ruff format --check knowledge_service tests scripts
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy knowledge_service

# check exits 1 when it finds blocking findings (the bundled sample has some, on purpose): that
# is the check's answer, not a failure of the target; exit 2 (it could not run) still fails.
check: install
	@$(KS) check --content content --policies policies; rc=$$?; \
	if [ $$rc -eq 1 ]; then \
		echo "make check: exit 1 means blocking findings were found (listed above); the bundled sample has some on purpose"; \
	elif [ $$rc -ne 0 ]; then exit $$rc; fi

eval: install
	$(KS) eval $(EVAL_DATA)/banking77
	$(KS) eval $(EVAL_DATA)/stackfaq

calibrate: install
	$(PY) scripts/calibrate_answers.py --data $(EVAL_DATA)

bench: install
	$(PY) scripts/bench_search.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
