# FRKDNet (Jiang et al. 2023; docs/methods/frkd.md), paper protocol on Pascal VOC 2012 aug: DeepLabV3+ R101 ->
# DeepLabV3+ R18 (published, val: 74.19 mIoU, +2.04 over the student).
# mmseg's VOC12aug pipeline (512x512 crops, train + aug) and 40k schedule, batch 16 (4 GPUs x 4 images):
#   tools/dist_train.sh configs/frkd/frkd_deeplabv3plus-r101-d8_deeplabv3plus-r18-d8_4xb4-40k_voc12aug-512x512.py 4
# The distiller (losses, weights, refine rule) is ../_base_/distillers/frkd_logits_40k.py, with the paper's
# gamma = 0.5 for VOC. Nothing here was tuned on VOC.
_base_ = [
    '../_base_/models/deeplabv3plus_r18-d8_voc12aug.py', 'mmseg::_base_/datasets/pascal_voc12_aug.py',
    '../_base_/default_runtime.py', '../_base_/distillers/frkd_logits_40k.py'
]
# mmseg's official VOC12aug DeepLabV3+ R101-d8 (512x512, 40k iterations, 78.62 mIoU)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3plus/'
                'deeplabv3plus_r101-d8_512x512_40k_voc12aug/'
                'deeplabv3plus_r101-d8_512x512_40k_voc12aug_20200613_205333-faf03387.pth')
gamma = 0.5  # the paper's balance factor for VOC
model = dict(
    architecture=_base_.student_model,
    teacher=dict(cfg_path='mmseg::deeplabv3plus/deeplabv3plus_r101-d8_4xb4-40k_voc12aug-512x512.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(distill_losses=dict(loss_inter=dict(loss_weight=gamma), loss_intra=dict(loss_weight=gamma))))
