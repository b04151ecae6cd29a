# Diagnostic, not a reported suite: does the best distiller of the main pair (MGD + CWD, 28% of the teacher-student
# gap at 2k iterations in mgd_syntex) close more of the gap when the student gets twice the budget? MGD + CWD and
# the student at 4k iterations (the poly decay stretched to the new length) on the unreported seeds 100 and 101;
# the student's runs are protocol_v2_screen's committed records (same config, options and artifacts: reused, not
# trained again). The table's Δ and gap closed compare the two at 4k (docs/benchmark_protocol.md, "The
# gap-closed target"). Never in the leaderboard.
#   python tools/benchmark.py benchmarks/suites/gap_budget_diagnostic_syntex.py --seeds 100 101 --jobs 2
name = 'gap_budget_diagnostic_syntex'
protocol = 'v2'
screen = True  # unreported seeds, a diagnostic: never in the leaderboard
compute_matched = False
notes = ('Diagnostic (unreported seeds 100, 101): protocol v2 (SynTex val, PSPNet-R101-w8 teacher -> PSPNet-R18-w8 '
         'student, pretext-pretrained backbones, SGD lr 0.05, gradient norm clipped to 2, --jobs 2) at 4k '
         'iterations instead of 2k: the student and MGD + CWD (the best row of mgd_syntex).')
baseline = 'student, 4k iterations'
teacher = ('teacher', 'configs/syntex/pspnet_r101-w8-d8_1xb8-4k_syntex-96x96.py',
           'checkpoints/syntex/teacher_pspnet_r101-w8.pth')
STUDENT = 'configs/syntex/pspnet_r18-w8-d8_1xb8-2k_syntex-96x96.py'
MGD_CWD = 'configs/mgd/mgd-cwd_pspnet-r101-w8-d8_pspnet-r18-w8-d8_1xb8-2k_syntex-96x96.py'


def longer(iters):
    """cfg-options: train for ``iters`` iterations, validate at the end, the poly decay stretched to match."""
    return [f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}', f'param_scheduler.0.end={iters}']


runs = [
    ('student, 4k iterations', STUDENT, longer(4000)),
    ('MGD + CWD, 4k iterations', MGD_CWD, longer(4000)),
]
