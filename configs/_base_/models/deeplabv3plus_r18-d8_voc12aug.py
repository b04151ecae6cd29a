# DeepLabV3+ ResNetV1c-18 (output stride 8) for Pascal VOC 2012 aug: mmseg ships no VOC R18 config, so this is
# its Cityscapes R18 config (ASPP 128 channels, 12 low-level channels, ImageNet initialisation) with 21 classes
# and VOC's (512, 512) padding. Crops other than 512x512: override data_preprocessor.size in the leaf config.
student_model = dict(
    cfg_path='mmseg::deeplabv3plus/deeplabv3plus_r18-d8_4xb2-80k_cityscapes-512x1024.py',
    data_preprocessor=dict(size=(512, 512)),
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
