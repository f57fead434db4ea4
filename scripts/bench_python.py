#!/usr/bin/env python3
"""Side by side in one Python process: NegMAS 0.16's Pareto frontier against backchannel's on the
bundled GENIUS domains, and the Dask sweep's overhead against the plain binary.

Pareto (median of --reps, same inputs for both, utilities as NegMAS's Scenario.load reads them):
  api:    NegMAS pareto_frontier(ufuns, outcomes) (evaluates every outcome, then filters)
          vs backchannel.analyze(domain) (loaded with semantics="negmas": frontier, Nash, KS,
          Kalai, welfare, without enumerating additive spaces)
  arrays: on the same (outcomes x 2) NumPy array of utilities, NegMAS's array routine
          (pareto_frontier_active, what pareto_frontier calls) vs backchannel.pareto_frontier
Both check they found the same frontier. Ratio = NegMAS time / backchannel time.

Dask: the default scenario's forecast of --runs runs, as `backchannel run --json` (a process),
as backchannel.forecast in this process, and (neither keeping per-run records) as backchannel.dask.forecast with 4 shards on a
LocalCluster of 2 worker processes (its start-up timed separately); overhead = Dask / binary.

Usage: scripts/bench_python.sh [--reps N] [--runs N] [DOMAIN ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
import warnings
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "genius"
DEFAULT = ["Ultimatum", "LaptopB", "ItexvsCypress", "EnglandZimbabwe", "Grocery", "AmsterdamA", "Camera", "SmartPhone", "Car", "Wholesaler", "SupermarketB", "Travel", "KillerRobot", "Energy"]


def median_time(f, reps):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def pareto(domains, reps):
    import backchannel as bc
    from negmas.inout import Scenario
    from negmas.preferences.ops import pareto_frontier, pareto_frontier_active

    print(f"{'domain':<16} {'outcomes':>9} {'NegMAS api s':>13} {'bc analyze s':>13} {'ratio':>8} {'NegMAS arr s':>13} {'bc arr s':>10} {'ratio':>8}  same")
    for name in domains:
        s = Scenario.load(DATA / name)
        ufuns = list(s.ufuns[:2])
        outcomes = list(s.outcome_space.enumerate_or_sample(max_cardinality=float("inf")))
        points = np.array([[u(o) for u in ufuns] for o in outcomes], dtype=float)
        rv = [float("-inf") if u.reserved_value is None else float(u.reserved_value) for u in ufuns]
        d = bc.load_domain(DATA / name, semantics="negmas")
        r = max(1, reps if len(outcomes) < 100_000 else min(reps, 3))
        t_napi, (nu, _) = median_time(lambda: pareto_frontier(ufuns, outcomes, sort_by_welfare=True, eps=1e-12), r)
        t_bapi, a = median_time(lambda: bc.analyze(d, profiles=[0, 1]), reps)
        rational = points[np.all(points >= np.array(rv), axis=1)]
        t_narr, nidx = median_time(lambda: pareto_frontier_active(rational, sort_by_welfare=True, eps=1e-12), r)
        t_barr, (bu, _) = median_time(lambda: bc.pareto_frontier(points, rv), reps)
        theirs = sorted(tuple(map(float, u)) for u in nu)
        same = theirs == sorted(tuple(p["utils"]) for p in a["pareto"]) == sorted(bu) and len(nidx) == len(bu)
        print(f"{name:<16} {len(outcomes):>9} {t_napi:>13.4f} {t_bapi:>13.5f} {t_napi / t_bapi:>7.0f}x {t_narr:>13.4f} {t_barr:>10.5f} {t_narr / t_barr:>7.1f}x  {'yes' if same else 'NO'}")


def dask_overhead(runs, reps):
    import backchannel as bc
    import backchannel.dask
    from distributed import Client, LocalCluster

    binary = ROOT / "target" / "release" / "backchannel"
    cmd = [str(binary), "run", "--runs", str(runs), "--json"]
    t_bin, out = median_time(lambda: json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout), reps)
    t_py, f = median_time(lambda: bc.forecast(runs=runs, records=False), reps)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        t_start = time.perf_counter() - t0
        t_dask, g = median_time(lambda: backchannel.dask.forecast(client, runs=runs, shards=4, records=False), reps)
    same = f.result == out and g.aggregate == f.aggregate
    print(f"\nforecast of the default scenario, {runs} runs, median of {reps}:")
    print(f"  backchannel run --json (process)        {t_bin:8.3f} s")
    print(f"  backchannel.forecast (in process)       {t_py:8.3f} s   ({t_py / t_bin:.2f}x the binary)")
    print(f"  backchannel.dask.forecast, 4 shards     {t_dask:8.3f} s   ({t_dask / t_bin:.2f}x the binary; cluster start-up {t_start:.2f} s not counted)")
    print(f"  same forecast everywhere: {'yes' if same else 'NO'}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("domains", nargs="*", default=DEFAULT)
    a = ap.parse_args()
    import negmas

    import backchannel

    print(f"NegMAS {negmas.__version__} vs backchannel {backchannel.__version__} (Python module), median of {a.reps}")
    pareto(a.domains, a.reps)
    if not a.no_dask:
        dask_overhead(a.runs, a.reps)


if __name__ == "__main__":
    main()
