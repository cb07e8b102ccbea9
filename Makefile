# Two commands: `make demo` opens the workbench on the bundled example, `make test` passes the suite.
# Both create .venv when it is missing and install everything they need into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
DEMO_SCENARIO ?= scenarios/riverside-middle

.PHONY: demo test setup browser lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium for the browser tests (Playwright's own browser download does not work here).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@$(CHROMIUM) --version

demo: setup
	$(BIN)/workbench validate $(DEMO_SCENARIO)
	$(BIN)/workbench serve $(DEMO_SCENARIO) scenarios/tutorial

test: setup browser
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax -p no:cacheprovider

lint: setup
	$(BIN)/ruff check workbench tests benchmarks

# Speed is measured here, never asserted in tests. Each script prints medians and ratios; see README.
BENCHMARKS := staffing groups goals schedule batch app
bench: setup browser
	@for b in $(BENCHMARKS); do echo "== benchmarks/$$b.py"; CHROMIUM=$(CHROMIUM) $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
