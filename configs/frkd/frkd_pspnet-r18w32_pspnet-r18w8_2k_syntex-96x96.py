# FRKDNet (Jiang et al. 2023), the full method on SynTex (ablation row "full" of benchmarks/suites/frkd_syntex.py):
# L = L_cls + kd_scale * refined pixel KD + gamma * (L_inter + L_intra) + sim_weight * L_sim, on class probabilities.
# Why probabilities and these weights (seed-0 runs): docs/methods/frkd.md
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
teacher_ckpt = 'checkpoints/syntex/teacher_pspnet_r18-w32.pth'
kd_scale = 10.0
gamma = 0.5  # the paper's balance factor of L_inter + L_intra (0.4 Cityscapes, 0.5 VOC)
sim_weight = 0.5
refine = dict(type='FeatureRefineConnector', saliency='contribution', threshold=0.5)
logits_S = dict(from_student=True, recorder='logits')
logits_T = dict(from_student=False, recorder='logits')
refine_mask = dict(from_student=False, recorder='logits', connector='refine')
gt_sem_seg = dict(from_data='gt_sem_seg')
frkd_inputs = dict(preds_S=logits_S, preds_T=logits_T, gt_sem_seg=gt_sem_seg, refine_mask=refine_mask)
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        teacher_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        connectors=dict(refine=refine),
        distill_losses=dict(
            loss_kd=dict(type='RefinedPixelWiseKDLoss', tau=1.0, loss_weight=kd_scale),
            loss_inter=dict(type='FRKDInterClassLoss', assign='gt', space='softmax',
                            loss_weight=gamma),
            loss_intra=dict(type='FRKDIntraClassLoss', assign='gt', pixels='all', space='softmax',
                            loss_weight=gamma),
            loss_sim=dict(type='FRKDSimilarityLoss', level='class', space='softmax',
                          loss_weight=sim_weight)),
        loss_forward_mappings=dict(loss_kd=frkd_inputs, loss_inter=frkd_inputs, loss_intra=frkd_inputs,
                                   loss_sim=frkd_inputs)))
