"""Shared helpers: argument checks and suggestions (``checks``), and the config preparation of the
command-line tools (``config_utils``; ``run_utils`` runs them as child processes for ``tools/demo.py`` and
``tools/benchmark.py``)."""
