# SynTex in the semi-supervised setting: a seeded labeled/unlabeled partition of the 1500 training
# images (mmkdseg.datasets.splits; 1/8 -> 188 labeled, 1312 unlabeled). The split files
# data/syntex/splits/seed<s>/{labeled,unlabeled}_<p>-<q>.txt are written on first use (SynTex is
# self-generating, so create_missing=True). Another partition (variables such as split_fraction are
# resolved when the file is read, so override the wrappers themselves):
#   supervised on the labeled part:  --cfg-options train_dataloader.dataset.fraction=1/4
#   semi-supervised (both parts):    --cfg-options train_dataloader.dataset.datasets.0.fraction=1/4 \
#                                                  train_dataloader.dataset.datasets.1.fraction=1/4
#   (and .seed=N the same way for another random partition)
_base_ = ['./syntex.py']

split_fraction = '1/8'
split_seed = 0
labeled_batch_size = 8
unlabeled_batch_size = 8

# unlabeled images: the same augmentation, but no labels are loaded (and RandomCrop cannot use
# cat_max_ratio, which needs them)
unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(96, 96), ratio_range=(0.75, 1.5), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
_syntex_train = dict(
    type=_base_.dataset_type,
    data_root=_base_.data_root,
    data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'))
labeled_dataset = dict(
    type='SplitDataset', part='labeled', fraction=split_fraction, seed=split_seed, create_missing=True,
    dataset=dict(_syntex_train, pipeline=_base_.train_pipeline))
unlabeled_dataset = dict(
    type='SplitDataset', part='unlabeled', fraction=split_fraction, seed=split_seed, create_missing=True,
    dataset=dict(_syntex_train, pipeline=unlabeled_pipeline))

# supervised training on the labeled part only (teachers, the supervised-only baseline)
labeled_loader = dict(
    _delete_=True,  # replace (not merge into) the train_dataloader of syntex.py
    batch_size=labeled_batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=labeled_dataset)
# semi-supervised training: every batch = labeled_batch_size labeled + unlabeled_batch_size unlabeled
semi_loader = dict(
    _delete_=True,  # replace (not merge into) the train_dataloader of syntex.py
    batch_size=labeled_batch_size,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='SemiInfiniteSampler', shuffle=True),
    batch_sampler=dict(type='SemiBatchSampler', unlabeled_batch_size=unlabeled_batch_size),
    dataset=dict(type='SemiSegDataset', datasets=[labeled_dataset, unlabeled_dataset]))
