# FRKDNet (Jiang et al. 2023; METHODS.md §5), paper protocol on Pascal VOC 2012 aug: DeepLabV3+ R101 ->
# DeepLabV3+ R18 (published, val: 74.19 mIoU, +2.04 over the student).
# mmseg's VOC12aug pipeline (512x512 crops, train + aug) and 40k schedule, batch 16 (4 GPUs x 4 images):
#   tools/dist_train.sh configs/frkd/frkd_deeplabv3plus-r101-d8_deeplabv3plus-r18-d8_40k_voc12aug-512x512.py 4
# The paper gives neither code nor schedule; the parts and their defaults are those of the SynTex full config
# (configs/frkd/frkd_pspnet-r18w32_pspnet-r18w8_2k_syntex-96x96.py, see its comments), with the paper's
# gamma = 0.5 for VOC. Nothing here was tuned on VOC.
#   L = L_cls + kd_weight * refined pixel KD + gamma * (L_inter + L_intra) + sim_weight * L_sim
_base_ = [
    '../_base_/models/deeplabv3plus_r101-d8_r18-d8_voc12aug.py', 'mmseg::_base_/datasets/pascal_voc12_aug.py',
    '../_base_/default_runtime.py', 'mmseg::_base_/schedules/schedule_40k.py'
]
# mmseg's official VOC12aug DeepLabV3+ R101-d8 (512x512, 40k iterations, 78.62 mIoU)
teacher_ckpt = ('https://download.openmmlab.com/mmsegmentation/v0.5/deeplabv3plus/'
                'deeplabv3plus_r101-d8_512x512_40k_voc12aug/'
                'deeplabv3plus_r101-d8_512x512_40k_voc12aug_20200613_205333-faf03387.pth')
gamma = 0.5  # the paper's balance factor for VOC
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
    architecture=_base_.student_model,
    teacher=_base_.teacher_model,
    teacher_ckpt=teacher_ckpt,
    distiller=dict(
        type='SegDistiller',
        student_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        teacher_recorders=dict(logits=dict(type='ModuleOutputs', source='decode_head.conv_seg')),
        connectors=dict(refine=refine),
        distill_losses=dict(
            loss_kd=dict(type='RefinedPixelWiseKDLoss', tau=1.0, loss_weight=kd_weight),
            loss_inter=dict(type='FRKDInterClassLoss', assign='gt', loss_weight=gamma),
            loss_intra=dict(type='FRKDIntraClassLoss', assign='gt', pixels='all', loss_weight=gamma),
            loss_sim=dict(type='FRKDSimilarityLoss', level='class', loss_weight=sim_weight)),
        loss_forward_mappings=dict(loss_kd=frkd_inputs, loss_inter=frkd_inputs, loss_intra=frkd_inputs,
                                   loss_sim=frkd_inputs)))
