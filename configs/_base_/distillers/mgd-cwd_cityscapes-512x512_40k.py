# MGD + CWD distiller of the MGD paper's segmentation protocol (Yang et al. 2022; docs/methods/mgd.md, docs/methods/cwd.md), shared by
# configs/mgd/mgd-cwd_pspnet-r101-d8_*_8xb2-40k_cityscapes-512x512.py: Cityscapes, 512x512 crops, 40k iterations;
# MGD on the last backbone stage (512 -> 2048 channels, lambda=0.75, alpha=2e-5) + CWD on the logits (tau=4,
# weight 3), as in the authors' code, whose teacher is mmseg's PSPNet-R101. A leaf config adds the models
# (architecture / teacher: a ResNet-18 student and that teacher) and pads their inputs to `crop_size`.
# The generation block (two 3x3 convs at 2048 channels) has ~75.5M parameters; it is trained with the student
# and dropped by tools/export_student.py.
_base_ = ['../datasets/cityscapes_512x512.py', 'mmseg::_base_/schedules/schedule_40k.py']
# mmseg's PSPNet-R101 (512x1024, 40k; 78.34 mIoU), the teacher of the authors' configs
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/pspnet/pspnet_r101-d8_512x1024_40k_cityscapes/'
                'pspnet_r101-d8_512x1024_40k_cityscapes_20200604_232751-467e7cf4.pth')
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(
            feat=dict(type='BackboneStage', stage='layer4'),
            logits=dict(type='DecodeHead', layer='logits')),
        teacher_recorders=dict(
            feat=dict(type='BackboneStage', stage='layer4'),
            logits=dict(type='DecodeHead', layer='logits')),
        connectors=dict(
            mgd=dict(type='MaskedGenerationConnector', student_channels=512, teacher_channels=2048,
                     lambda_mgd=0.75)),
        distill_losses=dict(
            loss_mgd=dict(type='MaskedGenerationLoss', loss_weight=2e-5),
            loss_cwd=dict(type='ChannelWiseKDLoss', tau=4.0, loss_weight=3.0)),
        loss_forward_mappings=dict(
            loss_mgd=dict(
                preds_S=dict(from_student=True, recorder='feat', connector='mgd'),
                preds_T=dict(from_student=False, recorder='feat')),
            loss_cwd=dict(
                preds_S=dict(from_student=True, recorder='logits'),
                preds_T=dict(from_student=False, recorder='logits')))))
