# phytowatch developer tasks.
# Needs only a python3 >= 3.11 on PATH; everything else comes from PyPI.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYTHON     ?= python3
UV_VERSION := 0.13.9

TOOLS    := .tools
UV       := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION).stamp
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.phytowatch-sync.stamp

# Never let uv download a Python; use exactly the interpreter found on PATH.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Resolved lazily (only by recipes that need it), so `make clean` works without python3.
PYTHON_EXE = $(shell $(PYTHON) -c 'import sys; print(sys.executable)')

# Only lint directories that exist.
CODE_DIRS := $(wildcard src tests benchmarks)

.PHONY: venv assets browser lint types contracts test demo bench fmt clean

# Front-end packages: from the npm registry, pinned in frontend/package-lock.json, copied into a
# gitignored folder the app serves. Nothing is loaded from a CDN at run time.
NPM          ?= npm
FRONTEND     := frontend
VENDOR       := src/phytowatch/web/static/vendor
VENDOR_STAMP := $(VENDOR)/.frontend.stamp
# package file -> name served under /static/vendor/ (the development dependencies, axe-core for the
# accessibility test, are installed by npm ci but never copied here: the test reads node_modules)
VENDOR_FILES := uplot/dist/uPlot.iife.min.js:uPlot.iife.min.js uplot/dist/uPlot.min.css:uPlot.min.css \
                uplot/LICENSE:uPlot.LICENSE htmx.org/dist/htmx.min.js:htmx.min.js \
                htmx.org/LICENSE:htmx.LICENSE \
                @expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf:NotoSansSC-Regular.ttf \
                @expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf:NotoSansSC-Bold.ttf \
                @expo-google-fonts/noto-sans-sc/LICENSE_FONT:NotoSansSC.LICENSE

## venv: create/refresh .venv from uv.lock and the front-end assets (no-op when up to date)
venv: $(STAMP) $(VENDOR_STAMP)

## assets: npm ci (exact versions of frontend/package-lock.json), copied to the served folder
assets: $(VENDOR_STAMP)

$(VENDOR_STAMP): $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "assets: npm is needed (node and npm)"; exit 1; }
	cd $(FRONTEND) && $(NPM) ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	for pair in $(VENDOR_FILES); do \
		cp "$(FRONTEND)/node_modules/$${pair%%:*}" "$(VENDOR)/$${pair##*:}"; done
	@touch $@

## browser: Debian's Chromium and a Chinese font for the browser tests, and poppler-utils for
## the tests that read printed certificates (installed when missing, as root; elsewhere those
## tests skip, or fail under CI=true)
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
browser:
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	[ -e $(CJK_FONT) ] || missing="$$missing fonts-wqy-zenhei"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; missing="$${missing# }"; \
	if [ -z "$$missing" ]; then echo "browser: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "browser: installing $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			$$missing >/dev/null; \
	else echo "browser: missing $$missing and not root: the browser tests will skip"; fi

$(UV_STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "python3 >= 3.11 required, found " + sys.version.split()[0])'
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@touch $@

$(STAMP): pyproject.toml uv.lock $(UV_STAMP)
	$(UV) sync --locked --group dev --python "$(PYTHON_EXE)"
	@touch $@

## lint: ruff check + ruff format --check
lint: $(STAMP)
	$(BIN)/ruff check $(CODE_DIRS)
	$(BIN)/ruff format --check $(CODE_DIRS)

## types: mypy on src/ (configured in pyproject.toml), then on tests/, one run per folder
# tests/ is no package: pytest imports each folder's modules by their bare names (accountsworld,
# refusals), and two folders have a conftest.py, so a single run would see two modules named
# conftest. Each folder gets its own run, with tests/ (refusals, fakes) and itself on the path;
# scripts/ too, for the docs test that imports gen_cli_docs.
TEST_DIRS  := $(wildcard tests/unit tests/integration tests/contracts tests/e2e tests/golden)
MYPY_TESTS := $(BIN)/mypy --explicit-package-bases --no-warn-unused-configs
types: $(STAMP)
	$(BIN)/mypy
	@status=0; \
	echo "mypy tests/*.py"; \
	MYPYPATH=tests $(MYPY_TESTS) $(wildcard tests/*.py tests/fakes) || status=1; \
	for dir in $(TEST_DIRS); do \
		echo "mypy $$dir"; MYPYPATH=tests:$$dir:scripts $(MYPY_TESTS) $$dir || status=1; done; \
	exit $$status

## contracts: import-linter architecture contracts
# import-linter only sees directories that have an __init__.py; a sub-package
# without one would make its contracts pass vacuously, so refuse that first.
contracts: $(STAMP)
	@missing=$$(find src/phytowatch -name '*.py' -printf '%h\n' | sort -u \
		| while read -r d; do [ -f "$$d/__init__.py" ] || echo "  $$d"; done); \
	if [ -n "$$missing" ]; then \
		echo "contracts: directories with .py files but no __init__.py:"; \
		echo "$$missing"; exit 1; fi
	$(BIN)/lint-imports

## test: lint, types, contracts, then pytest (exit 5 "no tests collected" fails too); the 25
## slowest tests are listed at the end, to keep the whole run short
# pytest-xdist runs the suite on TEST_WORKERS processes, a file's tests on one process (loadfile:
# module fixtures are built once). Every test makes its own databases, ports and folders.
TEST_WORKERS ?= 2
test: $(STAMP) $(VENDOR_STAMP) browser
	$(MAKE) --no-print-directory lint types contracts
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=25

## demo: run the demo command (make demo PORT=8001 for another port)
PORT ?= 8000
demo: $(STAMP) $(VENDOR_STAMP)
	$(BIN)/phytowatch demo --port $(PORT)

## bench: run the benchmark judge
bench: $(STAMP)
	$(BIN)/python benchmarks/judge.py

## fmt: apply ruff fixes and formatting
fmt: $(STAMP)
	$(BIN)/ruff check --fix $(CODE_DIRS)
	$(BIN)/ruff format $(CODE_DIRS)

## clean: remove environments, caches and build artefacts
clean:
	rm -rf $(VENV) $(TOOLS) $(VENDOR) $(FRONTEND)/node_modules build dist .mypy_cache .pytest_cache .ruff_cache \
		.hypothesis .import_linter_cache
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -prune \
		-exec rm -rf {} +
