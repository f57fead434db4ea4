#!/usr/bin/env bash
# The sensitivity benchmark of issue 11, side by side with SALib 1.6.0:
#  1. the wall time of `backchannel sensitivity --method sobol --samples 4096` on the default
#     scenario (N = 2^12 base points, N (D + 2) model runs) on THREADS threads, median of REPEAT
#     runs, without and with a run directory (--out);
#  2. the analysis alone on that run's outputs, dumped from its run directory (the output column
#     of records.csv, in design order): SALib's sobol.analyze (calc_second_order=False, 100
#     resamples) and bc-engine's sobol_analyze (one thread), median of ANALYZE_REPEAT each, and
#     the largest difference between their S1 and ST (the same estimators on the same numbers);
#  3. the analysis alone on the G function (a_j = j, unscrambled design, N = 2^12, D = 20), as
#     before, for a workload that does not depend on the model.
#
# usage: scripts/bench_gsa.sh    GSA_VENV=... (default /work/venv-gsa: a venv with SALib==1.6.0,
#        made as scripts/gsa_fixtures.py says)  REPEAT=N (default 3)  THREADS=T (default 2)
#        ANALYZE_REPEAT=N (default 11)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENV=${GSA_VENV:-/work/venv-gsa}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-2}
ANALYZE_REPEAT=${ANALYZE_REPEAT:-11}
N=4096
if ! "$VENV/bin/python" -c "import SALib" 2>/dev/null; then
  echo "no SALib in $VENV: python3 -m venv $VENV && $VENV/bin/pip install SALib==1.6.0 'pandas<3'" >&2
  exit 2
fi
SALIB_VERSION=$("$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('SALib'))")

cargo build --release -q -p backchannel --manifest-path "$ROOT/Cargo.toml"
cargo build --release -q -p bc-engine --example gsa_timing --manifest-path "$ROOT/Cargo.toml"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}/release
BIN=$TARGET/backchannel
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
wall() { # seconds of wall time of the command "$@"
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

D=$("$BIN" sensitivity --method sobol --samples "$N" --dry-run | awk 'NR == 1 { sub(/\(/, "", $3); print $3 }')
RUNS=$((N * (D + 2)))
echo "backchannel sensitivity --method sobol --samples $N on the default scenario: D = $D uncertain parameters, $RUNS runs, $THREADS threads"

for _ in $(seq "$REPEAT"); do
  wall "$BIN" sensitivity --method sobol --samples "$N" --threads "$THREADS" -q --json
done > "$WORK/plain"
for i in $(seq "$REPEAT"); do
  rm -rf "$WORK/dir"
  wall "$BIN" sensitivity --method sobol --samples "$N" --threads "$THREADS" -q --json --out "$WORK/dir"
done > "$WORK/out"
PLAIN=$(median < "$WORK/plain")
WITH_OUT=$(median < "$WORK/out")

# The output array, in design order, from the run directory's records (last column).
awk -F, 'NR > 1 { print $NF }' "$WORK/dir/records.csv" > "$WORK/y.txt"
[ "$(wc -l < "$WORK/y.txt")" -eq "$RUNS" ] || { echo "expected $RUNS outputs in records.csv" >&2; exit 1; }

OURS=$("$TARGET/examples/gsa_timing" "$ANALYZE_REPEAT" "$WORK/y.txt" "$D")
echo "$OURS" | awk '$1 == "index" { print $2, $3, $4 }' > "$WORK/ours_indices"
THEIRS=$("$VENV/bin/python" - "$ANALYZE_REPEAT" "$WORK/y.txt" "$D" "$WORK/ours_indices" <<'PY'
import sys, time, warnings
import numpy as np
warnings.filterwarnings("ignore")
from SALib.analyze import sobol as sobol_analyze
repeat, path, d, ours_path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
y = np.loadtxt(path)
problem = {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}
times = []
for _ in range(repeat):
    t = time.perf_counter()
    s = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.95, seed=1)
    times.append(time.perf_counter() - t)
times.sort()
ours = np.loadtxt(ours_path, ndmin=2)
diff = max(np.max(np.abs(ours[:, 1] - s["S1"])), np.max(np.abs(ours[:, 2] - s["ST"])))
print(f"median_seconds {times[repeat // 2]:.6f} runs {repeat} max_index_difference {diff:.2e}")
PY
)
OURS_T=$(echo "$OURS" | awk 'NR == 1 { print $2 }')
THEIRS_T=$(echo "$THEIRS" | awk '{ print $2 }')
printf '\n%-74s %10s\n' "what (median wall time)" "seconds"
printf '%-74s %10s\n' "backchannel sensitivity (model runs + analysis), $THREADS threads" "$PLAIN"
printf '%-74s %10s\n' "  the same with --out (run directory written)" "$WITH_OUT"
printf '%-74s %10.3f\n' "analysis only: bc-engine sobol_analyze on its $RUNS outputs, 1 thread" "$OURS_T"
printf '%-74s %10.3f\n' "analysis only: SALib $SALIB_VERSION sobol.analyze on the same outputs" "$THEIRS_T"
echo "largest |S1 or ST difference| between SALib and bc-engine on these outputs: $(echo "$THEIRS" | awk '{ print $6 }')"
echo "(each command run, seconds: $(sort -g "$WORK/plain" | tr '\n' ' ')/ with --out: $(sort -g "$WORK/out" | tr '\n' ' '); $ANALYZE_REPEAT runs of each analysis, 100 bootstrap resamples)"

# 3. The analysis alone on the G function (independent of the model).
G_OURS=$("$TARGET/examples/gsa_timing" "$ANALYZE_REPEAT")
G_THEIRS=$("$VENV/bin/python" - "$ANALYZE_REPEAT" <<'PY'
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
printf '\n%-74s %10.3f\n' "G function (N = 2^12, D = 20): bc-engine sobol_analyze, 1 thread" "$(echo "$G_OURS" | awk '{ print $2 }')"
printf '%-74s %10.3f\n' "G function (N = 2^12, D = 20): SALib $SALIB_VERSION sobol.analyze" "$(echo "$G_THEIRS" | awk '{ print $2 }')"
