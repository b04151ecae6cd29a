# The embedded teacher: PSPNet, ResNetV1c-101 at width 8 (bottleneck blocks), output stride 8, on SynTex, from its
# pretext-pretrained backbone. tools/embedded.py (called by `make demo` and tools/benchmark.py) trains it once and
# keeps checkpoints/syntex/teacher_pspnet_r101-w8.pth for the students.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_4k.py'
]
model = _base_.teacher_model
