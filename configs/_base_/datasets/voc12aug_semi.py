# Pascal VOC 2012 aug in the semi-supervised setting (MGD-SSSS, CPS, ...): a seeded partition of the
# 10582 train_aug images (ImageSets/Segmentation/train.txt ∪ aug.txt; mmkdseg.datasets.splits, 1/16 ->
# 662 labeled). Labels of labeled images come from SegmentationClassAug, so it must cover every train_aug
# image (the widely used SegmentationClassAug archive of DeepLab/CPS does); unlabeled images never load
# labels. Create the split files once (they are not created implicitly, so that a mistyped path cannot
# silently give a different partition than a published one you put there):
#   python tools/make_splits.py data/VOCdevkit/VOC2012 --preset voc12aug --fractions 1/16 1/8 1/4 1/2
# Other partitions: --cfg-options train_dataloader.dataset.datasets.0.fraction=1/8 \
#                   train_dataloader.dataset.datasets.1.fraction=1/8   (supervised: ...dataset.fraction=1/8)
_base_ = ['mmseg::_base_/datasets/pascal_voc12_aug.py']

split_fraction = '1/16'
split_seed = 0
split_universe = ['ImageSets/Segmentation/train.txt', 'ImageSets/Segmentation/aug.txt']
labeled_batch_size = 2
unlabeled_batch_size = 2

# mmseg's VOC pipeline without its Pad: the data preprocessor pads to the crop size, and its padding
# metainfo is what keeps padding out of the pseudo-label losses
labeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResize', scale=(2048, 512), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=_base_.crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
voc_train_aug = dict(
    type=_base_.dataset_type,
    data_root=_base_.data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClassAug'))
labeled_dataset = dict(
    type='SplitDataset', part='labeled', fraction=split_fraction, seed=split_seed, universe=split_universe,
    dataset=dict(voc_train_aug, pipeline=labeled_pipeline))
unlabeled_dataset = dict(
    type='SplitDataset', part='unlabeled', fraction=split_fraction, seed=split_seed, universe=split_universe,
    dataset=dict(voc_train_aug, pipeline=unlabeled_pipeline))
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
