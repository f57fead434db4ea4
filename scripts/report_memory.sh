#!/usr/bin/env bash
# Peak memory of writing a run directory for 10^4 and 10^5 runs (and 10^6 with FULL=1): records
# stream to disk, so peak RSS should not grow with the number of runs. Measures the run
# directory's own streaming (crates/studies/examples/stream_runs.rs) and, when the binary has
# `run --out`, the real command.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p bc-studies --example stream_runs
cargo build --release -q -p backchannel
bin="$CARGO_TARGET_DIR/release"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sizes="10000 100000"
[ "${FULL:-0}" = 1 ] && sizes="$sizes 1000000"
peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
echo "runs        stream_runs peak RSS (KiB)   backchannel run --out peak RSS (KiB)"
for n in $sizes; do
  a=$(peak "$bin/examples/stream_runs" "$n" "$tmp/s$n")
  if "$bin/backchannel" run --help 2>/dev/null | grep -q -- '--out'; then
    b=$(peak "$bin/backchannel" run --runs "$n" --quiet --out "$tmp/r$n")
  else
    b="(run --out not available)"
  fi
  printf '%-11s %-28s %s\n' "$n" "$a" "$b"
done
