# Pretext pretraining of a backbone: SGD + poly learning rate, 2k iterations, no validation.
iters = 2000
optimizer = dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=100, by_epoch=False),
    dict(type='PolyLR', eta_min=0.0, power=1.0, begin=100, end=iters, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
val_cfg = None
test_cfg = None
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))  # acts only in val/test, which pretraining has none of
