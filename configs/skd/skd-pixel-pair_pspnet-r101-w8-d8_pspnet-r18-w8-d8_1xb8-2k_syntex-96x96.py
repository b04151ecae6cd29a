# SKD, pixel-wise + pair-wise terms on SynTex: node affinities of the PSP head's fused features, recorded before
# their ReLU (decode_head.bottleneck.bn), every 12x12 position a node (patch_size=1), compared exactly without
# N x N matrices. Why pre-ReLU and why these settings: docs/methods/skd.md
_base_ = './skd-pixel_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'
model = dict(
    distiller=dict(
        student_recorders=dict(feat=dict(type='ModuleOutputs', source='decode_head.bottleneck.bn')),
        teacher_recorders=dict(feat=dict(type='ModuleOutputs', source='decode_head.bottleneck.bn')),
        distill_losses=dict(
            loss_pair=dict(type='PairWiseAffinityLoss', scale=None, patch_size=1, pool='max',
                           detach_norm=False, loss_weight=10.0)),
        loss_forward_mappings=dict(
            loss_pair=dict(
                preds_S=dict(from_student=True, recorder='feat'),
                preds_T=dict(from_student=False, recorder='feat')))))
