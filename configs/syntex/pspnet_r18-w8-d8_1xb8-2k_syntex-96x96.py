# The embedded student trained alone (the baseline every distillation result is compared with):
# PSPNet, ResNetV1c-18 at width 8, output stride 8, on SynTex.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
model = _base_.student_model
