# SKD, pixel-wise + pair-wise terms: the embedded teacher -> the embedded student, SynTex.
# Pair-wise: node affinities of the PSP head's fused features (decode_head.bottleneck: the pyramid-pooled
# context features the classifier reads, 16 student / 64 teacher channels at 12x12 = 1/8 resolution) -
# the layer the authors' code distils (its "x_feat_after_psp"), recorded before its ReLU
# (decode_head.bottleneck.bn): in the 16-channel student ~40% of the post-ReLU node vectors are zero and
# the 1/||f|| of the normalisation made the student collapse (seed 0: 14.8 mIoU with weight 1, 9.1 with
# weight 10, detached norm), see PairWiseAffinityLoss. At 12x12 every position is a node
# (patch_size=1, N = 144); the paper's beta = 0.5 would leave a 2x2 grid of 4 nodes at this size.
# The affinities are compared exactly without N x N matrices (PairWiseAffinityLoss, method='auto').
_base_ = './skd-pixel_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py'
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
