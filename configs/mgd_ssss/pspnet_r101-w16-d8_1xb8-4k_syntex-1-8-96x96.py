# MGD-SSSS deep teacher on SynTex: PSPNet ResNetV1c-101 at width 16 (deeper and narrower than the wide
# teacher), trained on the labeled 1/8 split only (188 images, seed-0 partition).
#   flock /tmp/mmkdseg_cpu.lock .venv/bin/python tools/train.py THIS_CONFIG \
#       --work-dir work_dirs/mgd_ssss/teacher_deep
#   cp work_dirs/mgd_ssss/teacher_deep/iter_4000.pth checkpoints/syntex/mgd-ssss_teacher-deep_pspnet_r101-w16_1-8.pth
_base_ = [
    '../_base_/models/syntex_pspnet_mgd_ssss.py', '../_base_/datasets/syntex_semi.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_4k.py'
]
model = _base_.teacher_deep_model
train_dataloader = _base_.labeled_loader
