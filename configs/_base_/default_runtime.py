# mmseg's runtime defaults, plus the registration of mmkdseg's components.
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmkdseg'], allow_failed_imports=False)
default_scope = 'mmseg'
randomness = dict(seed=0)  # reproducible by default; tools/benchmark.py sets the seed per run
