# mmseg's runtime defaults, plus the registration of mmkdseg's components.
_base_ = ['mmseg::_base_/default_runtime.py']
custom_imports = dict(imports=['mmkdseg'], allow_failed_imports=False)
default_scope = 'mmseg'
# mmengine's Runner that refuses a checkpoint which does not hold every weight of the model
# (load_from, --resume, tools/test.py); allow_partial_checkpoint = True switches that off.
runner_type = 'CheckedRunner'
randomness = dict(seed=0)  # reproducible by default; tools/benchmark.py sets the seed per run
