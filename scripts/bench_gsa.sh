#!/usr/bin/env bash
# Times SALib 1.5.1's sobol.analyze (calc_second_order=False, 100 resamples) next to
# bc-engine's sobol_analyze (one thread) on the same outputs: the G function with a_j = j on the
# unscrambled Saltelli design with N = 2^12 and D = 20 (which bc-engine regenerates bit for bit).
# Prints the median wall time of each over REPEAT runs and the ratio.
#
# usage: scripts/bench_gsa.sh        GSA_VENV=... (default /work/venv-gsa; a venv with SALib==1.5.1,
#                                    made as scripts/gsa_fixtures.py says)   REPEAT=N (default 11)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${GSA_VENV:-/work/venv-gsa}
REPEAT=${REPEAT:-11}
if ! "$VENV/bin/python" -c "import SALib" 2>/dev/null; then
  echo "no SALib in $VENV: python3 -m venv $VENV && $VENV/bin/pip install SALib==1.5.1 'pandas<3'" >&2
  exit 2
fi

cargo build --release -q -p bc-engine --example gsa_timing --manifest-path "$ROOT/Cargo.toml"
OURS=$("${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/gsa_timing" "$REPEAT")

THEIRS=$("$VENV/bin/python" - "$REPEAT" <<'PY'
import sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
from SALib.sample import sobol as sobol_sample
from SALib.analyze import sobol as sobol_analyze
repeat = int(sys.argv[1])
N, D = 2**12, 20
problem = {"num_vars": D, "names": [f"x{j}" for j in range(D)], "bounds": [[0.0, 1.0]] * D}
x = sobol_sample.sample(problem, N, calc_second_order=False, scramble=False)
a = np.arange(D, dtype=float)
y = np.prod((np.abs(4 * x - 2) + a) / (1 + a), axis=1)
times = []
for _ in range(repeat):
    t = time.perf_counter()
    s = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.95, seed=1)
    times.append(time.perf_counter() - t)
times.sort()
print(f"median_seconds {times[repeat // 2]:.6f} runs {repeat} s1_0 {s['S1'][0]:.12f}")
PY
)
echo "bc-engine sobol_analyze (1 thread): $OURS"
echo "SALib 1.5.1 sobol.analyze:          $THEIRS"
awk -v a="$(echo "$OURS" | awk '{print $2}')" -v b="$(echo "$THEIRS" | awk '{print $2}')" \
  'BEGIN { printf "ratio SALib / bc-engine: %.2f\n", b / a }'
