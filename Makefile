# Two commands: `make demo` opens the workbench on the bundled example, `make test` passes the suite.
# Both create .venv when it is missing and install into it exactly the versions in requirements.lock, the
# versions the suite last passed with (a release upstream cannot break a fresh clone). `make upgrade` moves
# the lock to the newest releases that pyproject.toml allows and runs the whole suite on them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
CHROMIUM ?= /usr/bin/chromium
DEMO_SCENARIO ?= scenarios/riverside-middle
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: demo test setup browser lint bench clean upgrade docs

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) -c $(LOCK) pip setuptools
	$(BIN)/pip install $(PIP_QUIET) --no-build-isolation -c $(LOCK) -e '.[test]'
	$(BIN)/pip check
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

# The tables in docs/ that the code can render (settings, tables, rules, commands); a test checks them.
docs: setup
	$(BIN)/python docs/generate.py

lint: setup
	$(BIN)/ruff check workbench tests benchmarks docs

# Speed is measured here, never asserted in tests. Each script prints medians and ratios; see README.
BENCHMARKS := staffing groups goals schedule determinism batch app regroup
bench: setup browser
	@for b in $(BENCHMARKS); do echo "== benchmarks/$$b.py"; CHROMIUM=$(CHROMIUM) $(BIN)/python benchmarks/$$b.py || exit 1; done

# A deliberate upgrade: a new venv with the newest allowed releases, a new lock, then the whole suite.
# Commit requirements.lock only when `make test` passed on it.
upgrade:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install $(PIP_QUIET) --upgrade pip setuptools
	$(BIN)/pip install $(PIP_QUIET) --upgrade -e '.[test]'
	{ echo "# Exact versions the suite passed with; made by \`make upgrade\` on $$(date -u +%F), Python $$($(BIN)/python -c 'import platform; print(platform.python_version())')."; \
	  echo "# Used as a pip constraints file by make setup/test/demo: edit pyproject.toml, not this file."; \
	  $(BIN)/pip freeze --all --exclude-editable; } > $(LOCK)
	touch $(STAMP)
	$(MAKE) test

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
