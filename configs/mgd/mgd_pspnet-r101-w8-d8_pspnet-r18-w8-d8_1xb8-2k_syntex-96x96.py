# Masked Generative Distillation (MGD, Yang et al. 2022) alone, on the last backbone stage (1/8 resolution):
# the embedded teacher (256 channels) -> the embedded student (64 channels), SynTex.
# Student layer4 -> 1x1 conv (64->256) -> random spatial mask (lambda=0.75) -> conv3x3-ReLU-conv3x3 (256)
# -> alpha * sum((G - f_T)^2) / B. The connector is trained with the student and not exported.
# alpha (3e-4 instead of the paper's 2e-5): see docs/methods/mgd.md.
_base_ = ['../_base_/syntex_distill.py']
model = dict(
    distiller=dict(
        student_recorders=dict(_delete_=True, feat=dict(type='BackboneStage', stage='layer4')),
        teacher_recorders=dict(_delete_=True, feat=dict(type='BackboneStage', stage='layer4')),  # teacher runs its backbone only
        connectors=dict(
            mgd=dict(type='MaskedGenerationConnector', student_channels=64, teacher_channels=256,
                     lambda_mgd=0.75)),
        distill_losses=dict(loss_mgd=dict(type='MaskedGenerationLoss', loss_weight=3e-4)),
        loss_forward_mappings=dict(
            loss_mgd=dict(
                preds_S=dict(from_student=True, recorder='feat', connector='mgd'),
                preds_T=dict(from_student=False, recorder='feat')))))
