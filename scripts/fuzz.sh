#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 180) from the seed corpora in fuzz/seeds.
# Needs `cargo install cargo-fuzz`; the machine's stable toolchain is used with RUSTC_BOOTSTRAP=1.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs="${1:-180}"
for t in genius_domain genius_profile geniusweb_domain geniusweb_profile; do
  mkdir -p "corpus/$t"
  echo "== $t ($secs s)"
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$secs" -max_len=8192 2>&1 | tail -n 3
done
