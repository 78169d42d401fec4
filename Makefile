# Two commands do all the set-up: `make run` and `make test`. Only Python 3.11+ is needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
GATEWAY_STAMP := services/gateway/node_modules/.installed

.PHONY: install run test bench compose check-supergraph console lock clean

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Xinyong needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "[xinyong] installing Python dependencies into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(GATEWAY_STAMP): $(STAMP) services/gateway/package-lock.json
	@$(BIN)/python -m services.gateway.launcher install
	@touch $(GATEWAY_STAMP)

install: $(STAMP) $(GATEWAY_STAMP)

run: install
	@$(BIN)/xinyong run

test: install
	@$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmark suite (bench/run.py): `make bench` is the small scale (a few minutes);
# `make bench SCALE=national` loads 10M subjects (~25 min on 2 cores, ~40 min in all; 25 GB).
# Reports in bench/results/.
SCALE ?= small
bench: install
	@$(BIN)/python -m bench.run --scale $(SCALE) $(BENCH_ARGS)

# Regenerate subgraph SDL and the committed supergraph after a schema change.
compose: install
	@$(BIN)/python -m services.gateway.launcher compose

check-supergraph: install
	@$(BIN)/python -m services.gateway.launcher check

# Build the console (services/console/dist); `make run` and `make test` do it when its sources changed.
console: install
	@$(BIN)/python -m services.console.build

# Re-lock Python dependencies after editing pyproject.toml.
lock: $(STAMP)
	@$(BIN)/python -m pip install --quiet uv
	@$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) services/gateway/node_modules services/console/node_modules services/console/dist
