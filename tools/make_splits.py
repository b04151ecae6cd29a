"""Write seeded labeled/unlabeled partition files (semi-supervised protocols) for a dataset directory.

    python tools/make_splits.py DATA_ROOT (--preset NAME | --img-dir DIR --img-suffix SUFFIX |
                                           --universe LIST [LIST ...])
                                [--fractions 1/16 1/8 1/4 1/2] [--seeds 0] [--split-dir splits]

Writes ``DATA_ROOT/<split-dir>/seed<S>/{labeled,unlabeled}_<p>-<q>.txt`` — image names relative to the
image folder, without the image suffix, one per line: the ``ann_file`` format of mmseg's datasets,
and what ``SplitDataset(fraction=..., seed=...)`` reads. The rule is in ``mmkdseg/datasets/splits.py``
(sorted universe, ``numpy.random.default_rng(seed)`` permutation, the first ``ceil(f·N)`` labeled; for a
seed the labeled sets are nested across fractions). Examples::

    python tools/make_splits.py data/cityscapes --preset cityscapes   # leftImg8bit/train/<city>/*_leftImg8bit.png
    python tools/make_splits.py data/VOCdevkit/VOC2012 --preset voc12aug   # train.txt ∪ aug.txt (10582)
    python tools/make_splits.py data/syntex --preset syntex --fractions 1/8 --seeds 0 1 2
    python tools/make_splits.py data/mine --img-dir images/train --img-suffix .jpg --fractions 0.3
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmkdseg.datasets.splits import fraction_tag, parse_fraction, write_split_files  # noqa: E402

#: Layouts of mmseg's dataset configs (``mmseg::_base_/datasets/*.py``) and of SynTex.
PRESETS = {
    'cityscapes': dict(img_dir='leftImg8bit/train', img_suffix='_leftImg8bit.png'),
    'voc12aug': dict(universe=['ImageSets/Segmentation/train.txt', 'ImageSets/Segmentation/aug.txt']),
    'voc12': dict(universe=['ImageSets/Segmentation/train.txt']),
    'ade20k': dict(img_dir='images/training', img_suffix='.jpg'),
    'camvid': dict(img_dir='images/train', img_suffix='.png'),
    'syntex': dict(img_dir='img_dir/train', img_suffix='.png'),
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Write labeled/unlabeled partition files for semi-supervised '
                                'segmentation', formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split('Examples::')[-1])
    p.add_argument('data_root', help='dataset root (the data_root of its mmseg config)')
    p.add_argument('--preset', choices=sorted(PRESETS), help='the image folder/lists of a known layout')
    p.add_argument('--img-dir', help='image folder relative to data_root (searched recursively)')
    p.add_argument('--img-suffix', help='image file suffix, removed from the names (e.g. _leftImg8bit.png)')
    p.add_argument('--universe', nargs='+', help='list file(s) relative to data_root whose union is partitioned')
    p.add_argument('--fractions', nargs='+', default=['1/16', '1/8', '1/4', '1/2'],
                   help='labeled fractions (p/q, p-q or decimal)')
    p.add_argument('--seeds', nargs='+', type=int, default=[0], help='partition seeds')
    p.add_argument('--split-dir', default='splits', help='output folder relative to data_root')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    source = dict(PRESETS[args.preset]) if args.preset else {}
    if args.img_dir:
        source['img_dir'] = args.img_dir
    if args.img_suffix:
        source['img_suffix'] = args.img_suffix
    if args.universe:
        source = dict(universe=args.universe)
    if not source.get('universe') and not (source.get('img_dir') is not None and source.get('img_suffix')):
        raise SystemExit('give --preset, or --img-dir and --img-suffix, or --universe')
    if not osp.isdir(args.data_root):
        raise SystemExit(f'data_root {args.data_root!r} does not exist')
    for seed in args.seeds:
        for fraction in args.fractions:
            try:
                parse_fraction(fraction)
                labeled, unlabeled = write_split_files(args.data_root, fraction, seed,
                                                       split_dir=args.split_dir, **source)
            except (ValueError, FileNotFoundError) as e:
                raise SystemExit(str(e))
            n_l, n_u = (sum(1 for _ in open(f)) for f in (labeled, unlabeled))
            print(f'seed {seed}, {fraction_tag(fraction)}: {n_l} labeled -> {labeled}\n'
                  f'{"":>{len(str(seed)) + 7 + len(fraction_tag(fraction))}}{n_u} unlabeled -> {unlabeled}')


if __name__ == '__main__':
    main()
