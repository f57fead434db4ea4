#!/usr/bin/env bash
# Times KTAB's smpc and `backchannel stakeholders` (the SMP, KTAB's default model) on KTAB's
# 40-, 80- and 160-actor dummy data, after checking that both produce the same position history
# (every actor, dimension and turn, to the 0.1 KTAB prints); prints the median wall time and
# CPU time (user + system) of each and the ratios. On a shared machine the CPU times are the
# steadier measure.
#
# usage: scripts/bench_stakeholders.sh [PATH_TO_SMPC]     (or SMPC=PATH_TO_SMPC)
#   REPEAT=N   runs per program and size (default 3; the median is reported)
#   SIZES="040 080 160"   which dummy data sets to run
# smpc is built from KTAB's public source outside this repository; it runs with --logmin, its
# leanest logging (a text log and an SQLite file are still written, as in every KTAB run).
# Needs python3 (to compare the histories) and awk.
set -euo pipefail

SMPC=${1:-${SMPC:-}}
if [[ -z "$SMPC" || ! -x "$SMPC" ]]; then
  echo "usage: $0 PATH_TO_SMPC   (or set SMPC); smpc is KTAB's command-line SMP" >&2
  exit 2
fi
SMPC=$(cd "$(dirname "$SMPC")" && pwd)/$(basename "$SMPC")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEAT=${REPEAT:-3}
SIZES=${SIZES:-"040 080 160"}

cargo build --release -q -p backchannel --manifest-path "$ROOT/Cargo.toml"
BC=${CARGO_TARGET_DIR:-$ROOT/target}/release/backchannel

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/smpc-logger.conf" <<'EOF'
* GLOBAL:
    FORMAT = %msg
    FILENAME = "ktab_log.txt"
    ENABLED = true
    TO_FILE = true
    TO_STANDARD_OUTPUT = false
EOF

# Runs a command; prints "wall cpu" seconds.
timed() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" > /dev/null 2>&1; } 2>&1 | awk '{printf "%s %.3f\n", $1, $2 + $3}'
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Compares KTAB's "History of actor positions over time" with backchannel's JSON positions.
check() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
log = open(sys.argv[1]).read().splitlines()
ours = json.load(open(sys.argv[2]))
start = next(i for i, l in enumerate(log) if l.startswith("History of actor positions")) + 1
nd = len(ours["dimensions"])
lines = mismatched = 0
for a, actor in enumerate(ours["actors"]):
    for d in range(nd):
        want = log[start + a * nd + d].split(":", 1)[1].split()
        got = ["%.1f" % p[d] for p in actor["positions"]]
        lines += 1
        mismatched += want != got
print("identical" if mismatched == 0 else "DIFFERENT (%d of %d lines)" % (mismatched, lines))
sys.exit(1 if mismatched else 0)
EOF
}

printf '%-7s %-6s %-24s %-24s %-15s %s\n' actors turns "KTAB smpc wall/cpu (s)" "backchannel wall/cpu (s)" "ratio wall/cpu" positions
for n in $SIZES; do
  csv="$ROOT/tests/data/ktab/dummyData-a$n.csv"
  kw=(); kc=(); bw=(); bc=()
  for ((r = 0; r < REPEAT; r++)); do
    rm -f "$WORK/ktab_log.txt" "$WORK"/k.db
    read -r w c < <(cd "$WORK" && timed "$SMPC" --logmin --csv "$csv" --connstr "Driver=QSQLITE;Database=$WORK/k")
    kw+=("$w"); kc+=("$c")
    read -r w c < <(timed sh -c '"$0" stakeholders "$1" --json > "$2"' "$BC" "$csv" "$WORK/ours.json")
    bw+=("$w"); bc+=("$c")
  done
  same=$(check "$WORK/ktab_log.txt" "$WORK/ours.json") || { echo "a$n: $same; no timing comparison" >&2; exit 1; }
  med() { printf '%s\n' "$@" | median; }
  k1=$(med "${kw[@]}"); k2=$(med "${kc[@]}"); b1=$(med "${bw[@]}"); b2=$(med "${bc[@]}")
  turns=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["turns"]) - 1)' "$WORK/ours.json")
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0fx", a / b; else printf "inf" }'; }
  printf '%-7s %-6s %-24s %-24s %-15s %s\n' "$((10#$n))" "$turns" "$k1 / $k2" "$b1 / $b2" \
    "$(ratio "$k1" "$b1") / $(ratio "$k2" "$b2")" "$same"
done
