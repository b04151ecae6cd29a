# FRKDNet (Jiang et al. 2023), the full method on SynTex (ablation row "full" of benchmarks/suites/frkd_syntex.py):
# L = L_cls + kd_scale * refined pixel KD + gamma * (L_inter + L_intra) + sim_weight * L_sim, on class probabilities.
# Why probabilities and these weights (seed-0 runs): docs/methods/frkd.md
_base_ = ['../_base_/syntex_distill.py']
kd_scale = 10.0
gamma = 0.5  # the paper's balance factor of L_inter + L_intra (0.4 Cityscapes, 0.5 VOC)
sim_weight = 0.5
refine = dict(type='FeatureRefineConnector', saliency='contribution', threshold=0.5)
frkd_inputs = dict(_base_.logits_gt_inputs, refine_mask=dict(from_student=False, recorder='logits', connector='refine'))
model = dict(
    distiller=dict(
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
