from . import algorithms, classifiers, connectors, discriminators, distillers, losses, recorders, task_modules  # noqa: F401
