# DIST (Huang et al., NeurIPS 2022; docs/methods/dist.md) on the logits, as the authors' segmentation code:
# SegDISTLoss (tau 1, inter- and intra-class weights 1) on the decode head's logits, weight 1, plus the same on
# the auxiliary head's logits, weight 0.4. Ignored pixels are left out (the authors use every pixel).
logits = dict(type='ModuleOutputs', source='decode_head.conv_seg')
aux_logits = dict(type='ModuleOutputs', source='auxiliary_head.conv_seg')
dist_distiller = dict(
    type='SegDistiller',
    student_recorders=dict(logits=logits, aux_logits=aux_logits),
    teacher_recorders=dict(logits=logits, aux_logits=aux_logits),
    distill_losses=dict(
        loss_dist=dict(type='SegDISTLoss', inter_loss_weight=1.0, intra_loss_weight=1.0, tau=1.0, loss_weight=1.0),
        loss_dist_aux=dict(type='SegDISTLoss', inter_loss_weight=1.0, intra_loss_weight=1.0, tau=1.0,
                           loss_weight=0.4)),
    loss_forward_mappings=dict(
        loss_dist=dict(
            preds_S=dict(from_student=True, recorder='logits'),
            preds_T=dict(from_student=False, recorder='logits'),
            gt_sem_seg=dict(from_data='gt_sem_seg')),
        loss_dist_aux=dict(
            preds_S=dict(from_student=True, recorder='aux_logits'),
            preds_T=dict(from_student=False, recorder='aux_logits'),
            gt_sem_seg=dict(from_data='gt_sem_seg'))))
