# mmkdseg — the two commands of the README, and a few more.
#   make demo    set up (first time ~35 min incl. the mmcv build), pretrain the backbones and train the teacher
#                once (~40 min), train student/distilled student
#                on the embedded SynTex dataset, evaluate, print the table and save the picture grid
#   make test    set up (with test requirements), lint (ruff) and run the test suite
#   make benchmark  every protocol-v2 benchmark suite, then the leaderboard (hours on 2 CPU cores; finished runs
#                and committed records of unchanged runs are reused)
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?= -n 2

.PHONY: setup setup-tests demo test benchmark clean

setup:
	@bash tools/setup_env.sh

setup-tests:
	@bash tools/setup_env.sh --tests

demo: setup
	@$(PY) tools/demo.py

test: setup-tests
	@$(VENV)/bin/ruff check .
	@$(PY) -m pytest tests $(PYTEST_ARGS)

benchmark: setup
	@$(PY) tools/benchmark.py --all --jobs 2

clean:
	rm -rf work_dirs
