#!/usr/bin/env python3
"""Side-by-side speed of outcome analytics: NegMAS 0.16.0 vs backchannel on the same domains.

NegMAS is timed exactly as shared/reference/negmas/bench.py times it: enumerate all outcomes
(not counted), then pareto_frontier(...) + nash_points(...) on the first two profiles as
Scenario.load() reads them (EnergyGrid: producer vs provider). backchannel is timed as a whole
process, `backchannel analyze DOMAIN PROFILE PROFILE --semantics negmas --json`, which also loads
the files, computes every solution concept and writes JSON: a superset of NegMAS's timed work.
Both report the median over repetitions; the ratio is NegMAS median / backchannel median. The
script also checks that both find the same frontier size and Nash utilities.

Usage: scripts/bench_analyze.sh [--reps N] [DOMAIN ...]   (runs this with a NegMAS venv's python)
"""

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "genius"
PAIRS = {"EnergyGrid": (1, 2)}


def negmas_time(domain, reps):
    from negmas.inout import Scenario
    from negmas.preferences.ops import nash_points, pareto_frontier

    s = Scenario.load(DATA / domain)
    i, j = PAIRS.get(domain, (0, 1))
    ufuns = [s.ufuns[i], s.ufuns[j]]
    outcomes = list(s.outcome_space.enumerate_or_sample(max_cardinality=float("inf")))
    times, result = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        putils, _ = pareto_frontier(ufuns, outcomes, sort_by_welfare=True, eps=1e-12)
        ranges = [u.minmax(s.outcome_space, above_reserve=False) for u in ufuns]
        nash = nash_points(ufuns, ranges=ranges, frontier=putils)
        times.append(time.perf_counter() - t0)
        result = (len(putils), sorted(tuple(map(float, u)) for u, _ in nash))
    return times, result


def root_tag(f):
    """The XML root's tag, skipping declarations and comments."""
    m = re.search(r"<([A-Za-z_][\w.-]*)", re.sub(r"<[?!].*?>", "", f.read_text(errors="replace"), flags=re.S))
    return m.group(1) if m else None


def profiles(domain):
    """Profile files in NegMAS's order (sorted names, root tag utility_space)."""
    return [f for f in sorted((DATA / domain).iterdir())
            if f.suffix == ".xml" and not f.name.endswith("pareto.xml") and root_tag(f) == "utility_space"]


def domain_file(domain):
    for f in sorted((DATA / domain).iterdir()):
        if f.suffix == ".xml" and root_tag(f) == "negotiation_template":
            return f
    raise SystemExit(f"no domain file in {domain}")


def ours_time(binary, domain, reps):
    i, j = PAIRS.get(domain, (0, 1))
    ps = profiles(domain)
    cmd = [str(binary), "analyze", str(domain_file(domain)), str(ps[i]), str(ps[j]),
           "--semantics", "negmas", "--json"]
    times, result = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        times.append(time.perf_counter() - t0)
        d = json.loads(out)
        result = (d["n_pareto"], sorted(tuple(p["utils"]) for p in d["nash"]))
    return times, result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--binary", default=str(ROOT / "target" / "release" / "backchannel"))
    ap.add_argument("domains", nargs="*", default=["Travel", "Energy", "EnergyGrid"])
    a = ap.parse_args()
    import negmas
    print(f"NegMAS {negmas.__version__} vs backchannel ({a.binary}), median of {a.reps} runs")
    print(f"{'domain':<12} {'NegMAS s':>10} {'ours s':>10} {'ratio':>10}  same result")
    for d in a.domains:
        nt, nr = negmas_time(d, max(1, min(a.reps, 3) if d == "EnergyGrid" else a.reps))
        ot, orr = ours_time(a.binary, d, a.reps)
        same = nr[0] == orr[0] and all(
            all(abs(x - y) <= 1e-9 for x, y in zip(p, q)) for p, q in zip(nr[1], orr[1])
        ) and len(nr[1]) == len(orr[1])
        nm, om = statistics.median(nt), statistics.median(ot)
        print(f"{d:<12} {nm:>10.4f} {om:>10.4f} {nm / om:>9.0f}x  {'yes' if same else 'NO'}")
        if not same:
            print(f"  NegMAS: {nr}\n  ours:   {orr}", file=sys.stderr)


if __name__ == "__main__":
    main()
