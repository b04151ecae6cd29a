# Reference CWD protocol (mmrazor's configs/distill/mmseg/cwd, converted from the CWD authors' code):
# Cityscapes, PSPNet-R101 (79.76 mIoU) -> PSPNet-R18 (74.87), 512x1024 crops, 80k iterations, 4 GPUs x 2 images;
# CWD on the logits with tau=1, weight 5. Published (mmrazor): 75.54 mIoU.
#   tools/dist_train.sh configs/cwd/cwd-logits_pspnet-r101-d8_pspnet-r18-d8_4xb2-80k_cityscapes-512x1024.py 4
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_80k.py'
]
# mmseg's PSPNet-R101 (512x1024, 80k; 79.76 mIoU)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_80k_cityscapes/'
                'pspnet_r101-d8_512x1024_80k_cityscapes_20200606_112211-e1e1100f.pth')
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=dict(cfg_path='mmseg::pspnet/pspnet_r18-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher=dict(cfg_path='mmseg::pspnet/pspnet_r101-d8_4xb2-80k_cityscapes-512x1024.py'),
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=dict(type='DecodeHead', layer='logits')),
        teacher_recorders=dict(logits=dict(type='DecodeHead', layer='logits')),
        distill_losses=dict(loss_cwd=dict(type='ChannelWiseKDLoss', tau=1.0, loss_weight=5.0)),
        loss_forward_mappings=dict(
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
