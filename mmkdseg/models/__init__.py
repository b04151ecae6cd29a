from . import algorithms, distillers, losses  # noqa: F401
