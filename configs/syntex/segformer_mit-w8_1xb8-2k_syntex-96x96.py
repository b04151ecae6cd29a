# The embedded transformer student trained alone (the baseline of the heterogeneous suite): SegFormer with a
# MixVisionTransformer at embed width 8 (configs/_base_/models/syntex_segformer.py), on SynTex.
_base_ = [
    '../_base_/models/syntex_pspnet.py', '../_base_/models/syntex_segformer.py', '../_base_/datasets/syntex.py',
    '../_base_/default_runtime.py', '../_base_/schedules/syntex_2k.py'
]
model = dict(_base_.mit_student_model, data_preprocessor=_base_.syntex_data_preprocessor)
