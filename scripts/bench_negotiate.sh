#!/usr/bin/env bash
# Times one 1000-step Boulware vs Conceder SAO negotiation on ItexvsCypress and on Travel in
# NegMAS 0.16.0 and in backchannel, same settings, and prints the medians and the ratios.
#
# Settings (both sides): profiles loaded with NegMAS semantics and discounting ignored
# (Scenario.load(folder, ignore_discount=True) / --semantics negmas --ignore-discount); party 0 =
# BoulwareTBNegotiator on the first profile, party 1 = ConcederTBNegotiator on the second;
# SAOMechanism(n_steps=1000), no wall-clock limit. Timed region (as in
# shared/reference/negmas/bench.py): building the mechanism and the negotiators, including each
# negotiator's inverse utility function (enumerate and sort every outcome), and running to the
# end; loading the files is not timed. backchannel: `negotiate --repeat N` rebuilds the
# strategies and their tables from scratch in every run.
#
# NegMAS is installed, if missing, into a virtual environment outside the repository:
# $NEGMAS_VENV (default ~/.cache/backchannel/venv-negmas).
#
# Usage: scripts/bench_negotiate.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${NEGMAS_VENV:-$HOME/.cache/backchannel/venv-negmas}"
if ! "$VENV/bin/python" -c 'import negmas, sys; sys.exit(negmas.__version__ != "0.16.0")' 2>/dev/null; then
    echo "installing negmas==0.16.0 into $VENV ..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet negmas==0.16.0
fi

cargo build --release --quiet -p backchannel
TARGET="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET/release/backchannel"

QUICK=0
if [[ "${1:-}" == "--quick" ]]; then QUICK=1; fi

"$VENV/bin/python" - "$BIN" "$QUICK" <<'PY'
import gc, json, random, statistics, subprocess, sys, time, warnings
from pathlib import Path

import numpy as np
from negmas.inout import Scenario
from negmas.sao import SAOMechanism
from negmas.sao.negotiators import BoulwareTBNegotiator, ConcederTBNegotiator

warnings.filterwarnings("ignore")
BIN, QUICK = sys.argv[1], sys.argv[2] == "1"
DOMAINS = Path("tests/data/genius")
STEPS = 1000
# (domain, NegMAS runs, backchannel runs)
CASES = [("ItexvsCypress", 3 if QUICK else 7, 201 if QUICK else 1001), ("Travel", 1 if QUICK else 3, 11 if QUICK else 51)]


def negmas_run(folder):
    random.seed(0)
    np.random.seed(0)
    s = Scenario.load(folder, ignore_discount=True)
    gc.collect()
    t0 = time.perf_counter()
    m = SAOMechanism(outcome_space=s.outcome_space, n_steps=STEPS)
    m.add(BoulwareTBNegotiator(name="n0"), ufun=s.ufuns[0])
    m.add(ConcederTBNegotiator(name="n1"), ufun=s.ufuns[1])
    st = m.run()
    dt = time.perf_counter() - t0
    agreement = [str(x) for x in st.agreement] if st.agreement is not None else None
    return dt, agreement, int(st.step)


def ours(folder, runs):
    out = subprocess.run(
        [BIN, "negotiate", str(folder), "--agents", "boulware,conceder", "--semantics", "negmas",
         "--ignore-discount", "--steps", str(STEPS), "--repeat", str(runs), "--json"],
        check=True, capture_output=True, text=True,
    )
    j = json.loads(out.stdout)
    return j["timing"]["median_s"], j["agreement"], j["step"]


print(f"{'domain':<15} {'NegMAS median':>14} {'backchannel median':>19} {'ratio':>9}  same result")
for domain, n_negmas, n_ours in CASES:
    folder = DOMAINS / domain
    runs = [negmas_run(folder) for _ in range(n_negmas)]
    t_negmas = statistics.median(r[0] for r in runs)
    t_ours, agreement, step = ours(folder, n_ours)
    same = (agreement, step) == (runs[0][1], runs[0][2])
    print(f"{domain:<15} {t_negmas * 1e3:>11.1f} ms {t_ours * 1e3:>16.3f} ms {t_negmas / t_ours:>8.0f}x  "
          f"{'yes' if same else 'NO'} (step {step})")
PY
