#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 180), at most JOBS (default 2) at once,
# from the seed corpora in fuzz/seeds; prints each target's executions and any crash, and exits 1
# if a target crashed, leaked, timed out or ran out of memory (the input is in fuzz/artifacts).
# With FUZZ_SEED=S and FUZZ_RUNS=N (CI's smoke run) each target makes exactly N executions (the
# scenario target N/10: each input is a whole validation) from libFuzzer seed S and a fresh
# corpus, within the SECONDS bound: far more reproducible than a timed run (libFuzzer's corpus
# handling still varies the coverage reached by a few percent between runs).
# Needs `cargo install cargo-fuzz` and a C++ compiler (libFuzzer); the machine's stable toolchain
# is used with RUSTC_BOOTSTRAP=1, with the address sanitizer (SAN=none to build without it).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-180}"
jobs="${JOBS:-2}"
san="${SAN:-address}"
targets=(genius_domain genius_profile geniusweb_domain geniusweb_profile ktab_csv ktab_xml scenario_toml rescore_jsonl)
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O -s "$san"
mkdir -p logs
rm -f logs/*.failed
run() {
  local t="$1"
  local fixed=()
  if [ -n "${FUZZ_SEED:-}" ] && [ -n "${FUZZ_RUNS:-}" ]; then
    local runs="$FUZZ_RUNS"
    if [ "$t" = scenario_toml ]; then runs=$((FUZZ_RUNS / 10)); fi
    fixed=(-seed="$FUZZ_SEED" -runs="$runs")
    rm -rf "corpus/$t"
  fi
  mkdir -p "corpus/$t"
  if ! cargo fuzz run -O -s "$san" "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -max_len=16384 -rss_limit_mb=2048 -timeout=10 "${fixed[@]}" >"logs/$t.log" 2>&1; then
    touch "logs/$t.failed"
  fi
  echo "== $t ($secs s): $(grep -E '^#[0-9]+.*(DONE|pulse)' "logs/$t.log" | tail -n 1)"
  grep -E 'ERROR|panicked|Test unit written' "logs/$t.log" | head -n 5 || true
}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  run "$t" &
done
wait
if ls logs/*.failed >/dev/null 2>&1; then
  echo "fuzzing found a failure in: $(basename -s .failed logs/*.failed | tr '\n' ' ')(see fuzz/logs)" >&2
  exit 1
fi
