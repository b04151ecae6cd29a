"""Helpers of the command-line tools: config preparation (``config_utils``) and child-process runs
(``run_utils``, used by ``tools/demo.py`` and ``tools/benchmark.py``)."""
