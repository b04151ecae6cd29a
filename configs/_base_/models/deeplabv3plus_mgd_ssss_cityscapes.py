# MGD-SSSS paper models on Cityscapes (19 classes, 512x1024 crops): the VOC definitions with the class
# count and the padding size changed (see deeplabv3plus_mgd_ssss_voc12aug.py).
_base_ = ['./deeplabv3plus_mgd_ssss_voc12aug.py']
mgd_data_preprocessor = dict(size=(512, 1024))
cityscapes_overrides = dict(
    data_preprocessor=dict(size=(512, 1024)),
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19))
teacher_wide_model = cityscapes_overrides
teacher_deep_model = cityscapes_overrides
student_r18_model = cityscapes_overrides
student_mv2_model = cityscapes_overrides
