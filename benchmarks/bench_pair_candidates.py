"""Cost of candidate embedded teachers and students side by side: parameters, training step and forward time.

    python benchmarks/bench_pair_candidates.py [--steps 12] [--batch 8]

Every candidate is the embedded PSPNet (configs/_base_/models/syntex_pspnet.py: ResNetV1c dilated to output
stride 8, PSPHead + FCN auxiliary head) with another depth and width; heads follow the backbone's last-stage
width (channels 16 at width 8 for basic blocks, 64 for bottleneck blocks or width 32). The candidates are timed
in turns, round after round, on one 8×96×96 batch, so machine noise affects all alike. Printed: parameters, the
median training step (forward, backward, SGD update) and the median eval forward, each also as a ratio to the
student (R18-w8). This is the cost half of the pair choice in docs/benchmark_protocol.md; the accuracy half
comes from trained runs (benchmarks/suites/protocol_v2_screen.py, the teachers' records).
"""
import argparse
import os.path as osp
import statistics
import sys
import time

import torch

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

#: (name, depth, width, head channels)
CANDIDATES = [('R18-w8 (student)', 18, 8, 16), ('R18-w16', 18, 16, 32), ('R18-w32 (v1 teacher)', 18, 32, 64),
              ('R50-w8', 50, 8, 64), ('R101-w8 (v2 teacher)', 101, 8, 64), ('R34-w16', 34, 16, 32),
              ('R101-w16', 101, 16, 64)]


def build(depth, width, head):
    import mmkdseg  # noqa: F401
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules
    register_all_modules()
    base = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models', 'syntex_pspnet.py'))
    m = base.student_model.to_dict()
    m.pop('pretrained', None)
    last = width * 8 * (1 if depth < 50 else 4)
    m['backbone'] = dict(m['backbone'], depth=depth, stem_channels=width, base_channels=width)
    m['decode_head'] = dict(m['decode_head'], in_channels=last, channels=head)
    m['auxiliary_head'] = dict(m['auxiliary_head'], in_channels=last // 2, channels=head)
    return MODELS.build(m)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--steps', type=int, default=12)
    p.add_argument('--batch', type=int, default=8)
    args = p.parse_args()
    torch.manual_seed(0)
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    x = torch.randn(args.batch, 3, 96, 96)
    samples = []
    for _ in range(args.batch):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=torch.randint(0, 7, (1, 96, 96)))
        s.set_metainfo(dict(img_shape=(96, 96), pad_shape=(96, 96)))
        samples.append(s)
    models = [(name, build(d, w, h)) for name, d, w, h in CANDIDATES]
    opts = {name: torch.optim.SGD(m.parameters(), lr=0.01) for name, m in models}
    step = {name: [] for name, _ in models}
    fwd = {name: [] for name, _ in models}
    for k in range(args.steps + 2):  # rounds; the first two warm up
        for name, m in models:
            m.train()
            t = time.perf_counter()
            loss = sum(v for key, v in m.loss(x, samples).items() if 'loss' in key)
            loss.backward()
            opts[name].step()
            opts[name].zero_grad()
            dt = time.perf_counter() - t
            m.eval()
            t = time.perf_counter()
            with torch.no_grad():
                m.decode_head(m.extract_feat(x))
            if k >= 2:
                step[name].append(dt)
                fwd[name].append(time.perf_counter() - t)
    base_step = statistics.median(step[CANDIDATES[0][0]])
    base_fwd = statistics.median(fwd[CANDIDATES[0][0]])
    print(f'batch {args.batch}x96x96, {args.steps} rounds, torch threads {torch.get_num_threads()}')
    print('| candidate | parameters | train step (ms) | × student | eval forward (ms) | × student |')
    print('|---|---|---|---|---|---|')
    for name, m in models:
        params = sum(q.numel() for q in m.parameters())
        s, f = statistics.median(step[name]), statistics.median(fwd[name])
        print(f'| {name} | {params / 1e6:.2f}M | {1e3 * s:.0f} | {s / base_step:.2f} | {1e3 * f:.0f} | '
              f'{f / base_fwd:.2f} |')


if __name__ == '__main__':
    main()
