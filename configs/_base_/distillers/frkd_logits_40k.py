# FRKDNet (Jiang et al. 2023; docs/methods/frkd.md) distiller for the paper-protocol configs, as the paper describes it:
# centers, distances and similarities on the logits (outputs before softmax), mmseg's 40k schedule.
#   L = L_cls + kd_weight * refined pixel KD + gamma * (L_inter + L_intra) + sim_weight * L_sim
# A leaf config adds the models (architecture / teacher / teacher_ckpt) and the dataset, and sets gamma (the
# paper's balance factor: 0.4 Cityscapes, 0.5 VOC) on loss_inter / loss_intra. The parts and their options are
# those of the SynTex full config (configs/frkd/frkd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py), which
# measures distances on probabilities instead (on SynTex's tiny student, logit distances collapsed training;
# see its comments). The intra-class term compares the paper's edge pixels (pixels='boundary'; SynTex: all
# pixels). kd_weight and sim_weight are ours: the paper gives no value (configs/frkd/README.md). Nothing here
# was tuned on the paper's datasets.
_base_ = ['mmseg::_base_/schedules/schedule_40k.py']
gamma = 0.5
kd_weight = 10.0
sim_weight = 0.5
refine = dict(type='FeatureRefineConnector', saliency='contribution', threshold=0.5)
frkd_inputs = dict(
    preds_S=dict(from_student=True, recorder='logits'),
    preds_T=dict(from_student=False, recorder='logits'),
    gt_sem_seg=dict(from_data='gt_sem_seg'),
    refine_mask=dict(from_student=False, recorder='logits', connector='refine'))
model = dict(
    _scope_='mmrazor',
    type='SegmentationDistill',
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        teacher_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        connectors=dict(refine=refine),
        distill_losses=dict(
            loss_kd=dict(type='RefinedPixelWiseKDLoss', tau=1.0, loss_weight=kd_weight),
            loss_inter=dict(type='FRKDInterClassLoss', assign='gt', loss_weight=gamma),
            loss_intra=dict(type='FRKDIntraClassLoss', assign='gt', pixels='boundary', loss_weight=gamma),
            loss_sim=dict(type='FRKDSimilarityLoss', level='class', loss_weight=sim_weight)),
        loss_forward_mappings=dict(loss_kd=frkd_inputs, loss_inter=frkd_inputs, loss_intra=frkd_inputs,
                                   loss_sim=frkd_inputs)))
