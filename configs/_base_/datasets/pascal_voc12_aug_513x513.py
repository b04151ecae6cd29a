# Pascal VOC 2012 + SBD augmentation (mmseg's fragment: train + aug lists, 21 classes) with the 513x513 crop
# of the AICSD protocol (mmseg uses 512x512). The images are padded to the crop by the models' data
# preprocessors (`size=(513, 513)`), so the pipeline has no Pad step. Batch size 6 on one GPU, as in the
# authors' code.
_base_ = ['mmseg::_base_/datasets/pascal_voc12_aug.py']
crop_size = (513, 513)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2048, 513), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=6,
    dataset=dict(datasets=[
        dict(_base_.dataset_train, pipeline=train_pipeline),
        dict(_base_.dataset_aug, pipeline=train_pipeline),
    ]))
