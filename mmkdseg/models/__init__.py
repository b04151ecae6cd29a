from . import algorithms, connectors, discriminators, distillers, losses, recorders, task_modules  # noqa: F401
