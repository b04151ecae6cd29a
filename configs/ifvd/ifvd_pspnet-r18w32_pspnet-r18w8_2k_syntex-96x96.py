# IFVD (intra-class feature variation distillation, docs/methods/ifvd.md): the embedded teacher
# -> the embedded student, SynTex. On the output of the PSP bottleneck (the features the classifier sees;
# teacher 64 channels, student 16 — only per-pixel similarity maps are compared): per image and class, the
# label-masked mean feature is the class center; map = cosine(feature, own class center);
# loss = 200 * MSE(map_S, map_T) over non-ignored pixels.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
teacher_ckpt = 'checkpoints/syntex/teacher_pspnet_r18-w32.pth'
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        teacher_recorders=dict(feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        distill_losses=dict(loss_ifvd=dict(type='IFVDLoss', loss_weight=200.0, num_classes=7)),
        loss_forward_mappings=dict(
            loss_ifvd=dict(
                preds_S=dict(from_student=True, recorder='feat'),
                preds_T=dict(from_student=False, recorder='feat'),
                gt_sem_seg=dict(from_data='gt_sem_seg')))))
