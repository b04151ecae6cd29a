# Cityscapes in the semi-supervised setting (MGD-SSSS, CPS, ...): a seeded partition of the 2975 fine
# training images (mmkdseg.datasets.splits; 1/16 -> 186 labeled), names like aachen/aachen_000000_000019.
# Unlabeled images never load labels. Create the split files once (not created implicitly, so that a
# mistyped path cannot silently give a different partition than a published one you put there):
#   python tools/make_splits.py data/cityscapes --preset cityscapes --fractions 1/16 1/8 1/4 1/2
# Other partitions: --cfg-options train_dataloader.dataset.datasets.0.fraction=1/8 \
#                   train_dataloader.dataset.datasets.1.fraction=1/8   (supervised: ...dataset.fraction=1/8)
_base_ = ['mmseg::_base_/datasets/cityscapes.py']

split_fraction = '1/16'
split_seed = 0
labeled_batch_size = 2
unlabeled_batch_size = 2

unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(2048, 1024), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
cityscapes_train = dict(
    type=_base_.dataset_type,
    data_root=_base_.data_root,
    data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'))
labeled_dataset = dict(
    type='SplitDataset', part='labeled', fraction=split_fraction, seed=split_seed,
    dataset=dict(cityscapes_train, pipeline=_base_.train_pipeline))
unlabeled_dataset = dict(
    type='SplitDataset', part='unlabeled', fraction=split_fraction, seed=split_seed,
    dataset=dict(cityscapes_train, pipeline=unlabeled_pipeline))
labeled_loader = dict(
    _delete_=True,  # replace (not merge into) mmseg's train_dataloader
    batch_size=labeled_batch_size,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=labeled_dataset)
semi_loader = dict(
    _delete_=True,
    batch_size=labeled_batch_size,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='SemiInfiniteSampler', shuffle=True),
    batch_sampler=dict(type='SemiBatchSampler', unlabeled_batch_size=unlabeled_batch_size),
    dataset=dict(type='SemiSegDataset', datasets=[labeled_dataset, unlabeled_dataset]))
