"""Shared helpers: argument checks and suggestions (``checks``), names shared across modules (``constants``),
and the config preparation of the command-line tools (``config_utils``). Running the tools as child processes
(for ``tools/demo.py`` and ``tools/benchmark.py``) is in ``tools/run_utils.py``, outside the package."""
