# MGD-SSSS wide teacher on SynTex: PSPNet ResNetV1c-18 at width 32 from its pretext backbone, trained on the
# labeled 1/8 split only (188 images, seed-0 partition) — the fair semi-supervised protocol: no label outside
# the split is used by any model of the MGD-SSSS run. An embedded artifact: tools/embedded.py trains it into
# checkpoints/syntex/mgd-ssss_teacher-wide_pspnet_r18-w32_1-8.pth when a config needs it.
_base_ = [
    '../_base_/models/syntex_pspnet_mgd_ssss.py', '../_base_/datasets/syntex_semi.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_4k.py'
]
model = _base_.teacher_wide_model
train_dataloader = _base_.labeled_loader
