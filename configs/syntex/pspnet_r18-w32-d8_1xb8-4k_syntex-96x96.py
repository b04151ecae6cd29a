# The embedded teacher: PSPNet, ResNetV1c-18 at width 32, output stride 8, on SynTex.
# `make demo` trains it once and keeps checkpoints/syntex/teacher_pspnet_r18-w32.pth for the students.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_4k.py'
]
model = _base_.teacher_model
