# Pixel-wise KD (Hinton) on the logits, the distiller of the configs that distil a stock mmseg config
# (configs/kd/kd_*_cityscapes-*.py, docs/extend_your_config.md):
#   10 * tau^2 * KL(softmax(z_T / tau) || softmax(z_S / tau)), tau 1, mean over valid pixels.
kd_distiller = dict(
    type='SegDistiller',
    student_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
    teacher_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
    distill_losses=dict(loss_kd=dict(type='PixelWiseKDLoss', tau=1.0, loss_weight=10.0)),
    loss_forward_mappings=dict(
        loss_kd=dict(
            preds_S=dict(from_student=True, recorder='logits'),
            preds_T=dict(from_student=False, recorder='logits'),
            gt_sem_seg=dict(from_data='gt_sem_seg'))))
# The algorithm of those configs; a leaf adds architecture (its student config's `_base_.model`), the teacher
# (`cfg_path`) and teacher_ckpt, and sets the top-level `data_preprocessor = None`.
kd_algorithm = dict(_scope_='mmrazor', type='SegmentationDistill', distiller=kd_distiller)
custom_imports = dict(imports=['mmkdseg'], allow_failed_imports=False)
runner_type = 'CheckedRunner'
