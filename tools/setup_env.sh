#!/usr/bin/env bash
# Idempotent environment set-up for mmkdseg.
#
#   tools/setup_env.sh [--tests]
#
# Creates a virtual environment (default: ./.venv, override with MMKDSEG_VENV), then, in this order:
#   1. torch==2.13.0 (the local CPU wheel), installed first and pinned by requirements/constraints.txt
#      in every later pip call so that nothing re-resolves it (a free resolution pulls GBs of CUDA wheels);
#   2. build tools (setuptools<82: mmcv's setup.py imports pkg_resources);
#   3. mmcv==2.1.0 built from source WITHOUT build isolation (with isolation it silently builds without
#      the compiled ops that mmseg imports), then checks `import mmcv.ops`;
#   4. the OpenMMLab stack and what it imports without declaring (requirements/runtime.txt);
#   5. mmkdseg itself in editable mode (and the test requirements with --tests).
# A stamp file records a hash of the requirement files: a second run with nothing changed returns at once.
# Each step that fails stops the script with a message naming the step.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${MMKDSEG_VENV:-$root/.venv}"
python="${PYTHON:-python3}"
with_tests=0
[[ "${1:-}" == "--tests" ]] && with_tests=1

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[31m[setup] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

req="$root/requirements"
stamp_src=$(cat "$req"/*.txt "$root/setup.py" | sha256sum | cut -c1-16)
# Two stamps: the environment (steps 1-5) and, on top, the test requirements. An environment set up with
# --tests is also up to date without (`make demo` after `make test` installs nothing: reinstalling mmkdseg
# would break `import mmkdseg` for seconds in every other process using this environment).
stamp="$venv/.mmkdseg-setup-$stamp_src"
tests_stamp="$stamp-tests"
if [[ -f "$tests_stamp" || ( $with_tests == 0 && -f "$stamp" ) ]]; then
  log "environment $venv is up to date"
  exit 0
fi
py="$venv/bin/python"
pip=("$py" -m pip install --disable-pip-version-check -c "$req/constraints.txt")
if [[ $with_tests == 1 && -f "$stamp" ]]; then
  log "environment $venv is up to date; adding the test requirements"
  "${pip[@]}" -r "$req/tests.txt" || fail "test requirements"
  touch "$tests_stamp"
  log "done: $venv"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  log "creating virtual environment $venv"
  "$python" -m venv "$venv" || fail "could not create a virtual environment with $python"
fi
log "step 1/5: torch (pinned CPU build)"
"${pip[@]}" -r "$req/torch.txt" || fail "step 1 (torch==2.13.0): is the local CPU wheel available?"

log "step 2/5: build tools"
"${pip[@]}" -r "$req/build.txt" "numpy<2" || fail "step 2 (build tools)"

if "$py" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '2.1.0'" 2>/dev/null; then
  log "step 3/5: mmcv 2.1.0 with compiled ops already installed"
else
  log "step 3/5: mmcv 2.1.0 from source with compiled ops (about 10 minutes on 2 cores the first time;"
  log "          pip caches the built wheel, so later set-ups are fast)"
  # Without isolation the build sees the pinned torch; MMCV_WITH_OPS forces the C++ ops.
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
    "${pip[@]}" --no-build-isolation -r "$req/mmcv.txt" \
    || fail "step 3 (building mmcv==2.1.0 from source): see the compiler output above"
  "$py" -c "import mmcv.ops" \
    || fail "step 3: mmcv installed but 'import mmcv.ops' fails (built without compiled ops?). \
Remove it (pip uninstall mmcv; pip cache remove mmcv) and rerun."
fi

log "step 4/5: OpenMMLab stack (mmengine, mmsegmentation, mmrazor) and runtime requirements"
"${pip[@]}" -r "$req/runtime.txt" || fail "step 4 (runtime requirements)"

log "step 5/5: mmkdseg (editable)"
"${pip[@]}" --no-build-isolation --no-deps -e "$root" || fail "step 5 (pip install -e .)"
if [[ $with_tests == 1 ]]; then
  "${pip[@]}" -r "$req/tests.txt" || fail "step 5 (test requirements)"
fi

"$py" - <<'EOF' || fail "final check: the installed stack does not import"
import torch, mmcv, mmcv.ops, mmengine, mmseg
assert torch.__version__.startswith('2.13.0'), torch.__version__
import mmkdseg  # applies the torch-2.x compatibility shim, then imports mmrazor
import mmrazor
print(f'[setup] torch {torch.__version__}, mmcv {mmcv.__version__}, mmengine {mmengine.__version__}, '
      f'mmseg {mmseg.__version__}, mmrazor {mmrazor.__version__}, mmkdseg {mmkdseg.__version__}')
EOF
rm -f "$venv"/.mmkdseg-setup-*
touch "$stamp"
[[ $with_tests == 1 ]] && touch "$tests_stamp"
log "done: $venv"
