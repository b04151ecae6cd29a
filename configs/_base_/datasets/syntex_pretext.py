# The pretext data of the embedded benchmark: SynTex images drawn with generator seed 1 (the segmentation
# train/val data use seed 0, so no segmentation image is seen in pretraining), 5000 images, the training
# augmentation of configs/_base_/datasets/syntex.py. The classifier reads only each crop's class fractions
# (ClassFractionClassifier), the stand-in for ImageNet's image labels.
_base_ = ['./syntex.py']
train_dataloader = dict(
    batch_size=16,
    dataset=dict(
        data_root='data/syntex_pretext',
        generator_seed=1,
        splits=(('train', 5000), ),
        data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train')))
val_dataloader = None
test_dataloader = None
val_evaluator = None
test_evaluator = None
