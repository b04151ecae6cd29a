# MGD-SSSS deep teacher on SynTex: PSPNet ResNetV1c-101 at width 8 (the embedded teacher's architecture, deeper
# and narrower than the wide teacher) from its pretext backbone, trained on the labeled 1/8 split only (188
# images, seed-0 partition). An embedded artifact: tools/embedded.py trains it into
# checkpoints/syntex/mgd-ssss_teacher-deep_pspnet_r101-w8_1-8.pth when a config needs it.
_base_ = [
    '../_base_/models/syntex_pspnet_mgd_ssss.py', '../_base_/datasets/syntex_semi.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_4k.py'
]
model = _base_.teacher_deep_model
train_dataloader = _base_.labeled_loader
