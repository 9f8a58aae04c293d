# Two commands matter (README, Quick start): `make demo` and `make test`. Everything else supports them.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Two workers, one per core (pytest-xdist). A module's tests stay on one worker with its module fixtures;
# each worker that runs browser tests starts its own demo server and Chromium.
WORKERS ?= -n 2 --dist loadfile

.PHONY: demo test test-db lint install system-deps serve

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# `make demo PORT=8001` when 8000 is taken (docs/demo.md says what the first start does). The demo
# installs the app without the test tools (Playwright, pytest...): about 40 s less on a first start.
PORT ?= 8000
$(VENV)/.installed-app: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet -e .
	touch $@

demo: $(VENV)/.installed-app
	$(VENV)/bin/contest serve --demo --port $(PORT)

# Debian's Chromium for the browser tests (browsers cannot be downloaded here), CJK fonts so pages
# render Chinese, wrk for the load benchmarks. Installed only when missing; needs root (as on CI).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	fc-list 2>/dev/null | grep -q "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# axe-core from the npm registry, for the accessibility browser test.
AXE := $(VENV)/axe/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --prefix $(VENV)/axe --no-audit --no-fund --silent axe-core@4.14.1

# ruff, then mypy on contest/, with the rules and settings pyproject.toml writes down: ~11 s cold, ~1 s with their
# caches. Both always run, so one pass shows every finding; `make test` stops here before minutes of tests.
lint: install
	@status=0; \
	$(VENV)/bin/ruff check contest tests benchmarks || status=1; \
	$(VENV)/bin/mypy || status=1; \
	exit $$status

test: lint system-deps $(AXE)
	$(VENV)/bin/pytest $(WORKERS) $(PYTEST_ARGS)

# The same suite without the browser layer, against the database CONTEST_TEST_DATABASE_URL names; tests that are
# the same on any test database (no database, or one of their own: marker any_database) ran in `make test`.
test-db: install
	$(VENV)/bin/pytest $(WORKERS) -m "not browser and not any_database" $(PYTEST_ARGS)
