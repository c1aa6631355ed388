# parkgis: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PARKGIS := $(VENV)/bin/parkgis
PYTHON ?= python3
APT_PACKAGES := postgresql-15 postgresql-15-postgis-3 chromium fonts-noto-cjk nodejs npm gdal-bin poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test setup apt venv assets lint typecheck pytest bench clean

demo: setup ## set everything up, load the demo zone and serve it on http://127.0.0.1:8000
	$(PARKGIS) db up
	$(PARKGIS) demo load
	$(PARKGIS) serve --host $(HOST) --port $(PORT)

test: setup lint typecheck pytest ## set everything up and run the whole test suite

setup: apt venv assets

apt: ## install the Debian packages that are missing (PostgreSQL 15 + PostGIS 3, Chromium, npm)
	@missing=""; for p in $(APT_PACKAGES); do \
	  if [ "$$p" = nodejs ] || [ "$$p" = npm ]; then command -v $$p >/dev/null 2>&1 && continue; fi; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

assets: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: venv
	$(VENV)/bin/ruff check parkgis api tests bench
	$(VENV)/bin/ruff format --check parkgis api tests bench

typecheck: venv
	$(VENV)/bin/mypy

pytest: venv
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup ## run the benchmarks (see bench/README.md)
	$(PY) bench/run_all.py

clean:
	-$(PARKGIS) db down
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
