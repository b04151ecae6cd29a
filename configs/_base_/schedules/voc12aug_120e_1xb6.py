# The AICSD protocol on Pascal VOC 2012 aug (the authors' code, a DeepLabV3+ training recipe): SGD, lr 0.007
# (decode and auxiliary heads at 10x), momentum 0.9, weight decay 5e-4, poly decay (power 0.9);
# 120 epochs of the 10,582 augmented training images at batch 6 = 120 x 1764 = 211,680 iterations.
# Validation and checkpoints every 10 epochs.
_base_ = ['mmseg::_base_/schedules/schedule_40k.py']
iters = 120 * 1764
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={
        'decode_head': dict(lr_mult=10.0),
        'auxiliary_head': dict(lr_mult=10.0)
    }))
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=iters, by_epoch=False)]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters // 12)
default_hooks = dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=iters // 12,
                                     max_keep_ckpts=2))
