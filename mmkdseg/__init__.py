"""mmkdseg: knowledge distillation for semantic segmentation on MMSegmentation and MMRazor.

``import mmkdseg`` (or ``custom_imports=dict(imports=['mmkdseg'])`` in a config) first makes the pinned
OpenMMLab stack work on torch 2.x (:mod:`mmkdseg.compat`), then registers every component:

* losses, connectors, discriminators, distillers, algorithms → ``mmrazor.registry.MODELS``
* datasets, transforms, metrics → ``mmseg.registry`` (``DATASETS``, ``TRANSFORMS``, ``METRICS``)
* hooks → ``mmengine.registry.HOOKS`` (visible from every scope)
"""
from . import compat
from .version import __version__

compat.apply()

from . import apis, datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__', 'compat', 'datasets', 'engine', 'evaluation', 'models']
