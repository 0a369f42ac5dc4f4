# The same few commands everywhere: make run, make test, make lint, make bench.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# Every package of the workspace (pyproject.toml), installed editable into the venv.
PACKAGES := \
	libs/platform \
	contracts \
	services/registry \
	services/search \
	services/reporting \
	services/notifications \
	services/portal \
	services/collection \
	services/library \
	cli

STAMP := $(VENV)/.installed
# The portal's browser assets (htmx, the font, axe-core for the browser tests), exactly as
# package-lock.json pins them, integrity checked, install scripts not run.
ASSETS := services/portal/node_modules/.package-lock.json
# The linters `make lint` runs on the API documents (Redocly's CLI), pinned the same way.
LINT_TOOLS := tools/lint/node_modules/.package-lock.json
OPENAPI_DIR := .lint/openapi
REDOCLY := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true tools/lint/node_modules/.bin/redocly

.PHONY: venv run test test-unit soak fuzz lint lint-deploy format bench contracts clean browser promtool

venv: $(STAMP) $(ASSETS)

# Installs exactly what uv.lock pins (every package editable, the embedded servers, the dev
# tools), again whenever the lock changes. `uv lock` updates the lock after a pyproject.toml
# changes; an out-of-date lock stops this with a message instead of installing something else.
# Everything is compiled to bytecode once here: where PYTHONDONTWRITEBYTECODE is set, a process
# otherwise compiles every module it imports from source, at start (reporting's app 3.8 CPU s
# instead of 1.5) and at each import made later, in whatever it is doing then (anyio's asyncio
# backend, 0.3 s, at a consumer's first batch).
$(STAMP): uv.lock pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv==0.13.9  # as locked in the dev group
	$(BIN)/uv sync --locked --all-packages --all-extras --compile-bytecode --python $(BIN)/python
	$(BIN)/python -m compileall -q $(addsuffix /src,$(PACKAGES))
	touch $@

$(ASSETS): services/portal/package.json services/portal/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --prefix services/portal

$(LINT_TOOLS): tools/lint/package.json tools/lint/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --prefix tools/lint

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
browser:
	test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# promtool checks the Prometheus configuration and rules; it is not on PyPI: Debian's
# prometheus package brings it.
promtool:
	test -x /usr/bin/promtool || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus)

run: venv
	$(BIN)/hoptac run

# Unit, integration and end-to-end tests; pytest closes with the summary of all three.
test: venv browser $(LINT_TOOLS)
	$(BIN)/pytest --durations=10

test-unit: venv $(LINT_TOOLS)
	$(BIN)/pytest -m unit

# The crash suite at length: every part killed ten times over while writes stream (make test
# runs one round). Prints what it wrote, delivered and delivered twice.
soak: venv
	HOPTAC_FAULT_ROUNDS=10 HOPTAC_FAULT_WRITES_PER_SECOND=20 $(BIN)/pytest tests/faults -s

# schemathesis at length against every service's OpenAPI document (make test runs 15 examples
# per operation).
fuzz: venv
	HOPTAC_FUZZ_EXAMPLES=1000 $(BIN)/pytest tests/fuzz

# Each service's OpenAPI document must pass Redocly's recommended ruleset with no error.
lint: venv $(LINT_TOOLS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(addsuffix /src,$(PACKAGES))
	rm -rf $(OPENAPI_DIR)
	$(BIN)/python tools/lint/openapi_documents.py $(OPENAPI_DIR) > /dev/null
	$(REDOCLY) lint --config tools/lint/redocly.yaml --format=summary $(OPENAPI_DIR)/*.json
	$(MAKE) --no-print-directory lint-deploy

# deploy/ and docker-compose.yml checked with no container engine (deploy/README.md).
K8S_OVERLAYS := $(wildcard deploy/k8s/overlays/*)
lint-deploy: venv promtool
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
	$(BIN)/hadolint deploy/Dockerfile
	rm -rf .lint/k8s && mkdir -p .lint/k8s
	$(foreach overlay,$(K8S_OVERLAYS),$(BIN)/kubectl kustomize $(overlay) > .lint/k8s/$(notdir $(overlay)).yaml &&) true
	$(BIN)/kubernetes-validate --strict --quiet .lint/k8s/*.yaml deploy/k8s/jobs/*.yaml
	promtool check config deploy/prometheus/prometheus.yml  # and the rule files it loads
	cd deploy/nats && NATS_SERVER_NAME=nats-0 RELAY_NATS_PASSWORD='"-"' PLATFORM_NATS_PASSWORD='"-"' \
		LIBRARY_NATS_PASSWORD='"-"' AGENCY_TAX_PASSWORD='"-"' $(CURDIR)/$(BIN)/nats-server --config cluster.conf -t

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: venv
	$(BIN)/python bench/registry/run.py
	$(BIN)/python bench/search/run.py
	$(BIN)/python bench/reporting/run.py
	$(BIN)/python bench/notifications/run.py
	$(BIN)/python bench/portal/run.py
	$(BIN)/python bench/import/run.py

# Regenerates contracts/schemas from the event models and contracts/asyncapi.json from
# FastStream's declarations of the registry's publishers and the projections' subscribers.
contracts: venv
	$(BIN)/python -m hoptac.contracts.generate
	$(BIN)/python -m hoptac.platform.asyncapi

# Keeps var/: the local databases, streams and logs outlive a clean.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .lint
