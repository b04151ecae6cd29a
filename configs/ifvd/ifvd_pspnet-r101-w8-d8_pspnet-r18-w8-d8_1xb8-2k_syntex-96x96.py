# IFVD (intra-class feature variation distillation, docs/methods/ifvd.md): the embedded teacher
# -> the embedded student, SynTex. On the output of the PSP bottleneck (the features the classifier sees;
# teacher 64 channels, student 16 — only per-pixel similarity maps are compared): per image and class, the
# label-masked mean feature is the class center; map = cosine(feature, own class center);
# loss = 200 * MSE(map_S, map_T) over non-ignored pixels.
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        student_recorders=dict(_delete_=True, feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        teacher_recorders=dict(_delete_=True, feat=dict(type='ModuleOutputs', source='decode_head.bottleneck')),
        distill_losses=dict(loss_ifvd=dict(type='IFVDLoss', loss_weight=200.0, num_classes=7)),
        loss_forward_mappings=dict(
            loss_ifvd=dict(
                preds_S=dict(from_student=True, recorder='feat'),
                preds_T=dict(from_student=False, recorder='feat'),
                gt_sem_seg=dict(from_data='gt_sem_seg')))))
