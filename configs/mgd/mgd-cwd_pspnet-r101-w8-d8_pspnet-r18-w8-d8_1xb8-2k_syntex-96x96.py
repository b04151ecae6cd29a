# MGD on the last backbone stage + CWD on the logits (tau=4, weight 3): the combination behind MGD's published
# segmentation numbers, on SynTex. alpha (MGD's weight) is 3e-4, not the paper's 2e-5: docs/methods/mgd.md
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        student_recorders=dict(_delete_=True,
            feat=dict(type='BackboneStage', stage='layer4'),
            logits=dict(type='DecodeHead', layer='logits')),
        teacher_recorders=dict(_delete_=True,
            feat=dict(type='BackboneStage', stage='layer4'),
            logits=dict(type='DecodeHead', layer='logits')),
        connectors=dict(
            mgd=dict(type='MaskedGenerationConnector', student_channels=64, teacher_channels=256,
                     lambda_mgd=0.75)),
        distill_losses=dict(
            loss_mgd=dict(type='MaskedGenerationLoss', loss_weight=3e-4),
            loss_cwd=dict(type='ChannelWiseKDLoss', tau=4.0, loss_weight=3.0)),
        loss_forward_mappings=dict(
            loss_mgd=dict(
                preds_S=dict(from_student=True, recorder='feat', connector='mgd'),
                preds_T=dict(from_student=False, recorder='feat')),
            loss_cwd=_base_.logits_inputs)))
