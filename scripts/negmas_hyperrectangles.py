#!/usr/bin/env python
# Produces tests/data/negmas/hyperrectangles.json: NegMAS 0.16.0's utilities of hyper-rectangle
# (ANAC 2014, "nonlinear") GENIUS profiles, the reference for `--semantics negmas` on them.
"""NegMAS 0.16.0 utilities of hyper-rectangle profiles.

Every outcome of the synthetic domain in tests/data/hyperrectangles (EXCLUDES bounds, rectangle
and ufun weights, an all-inclusive rectangle, fractional bounds, two top-level ufuns) and 2,000
seeded random outcomes of the ANAC 2014 10issues domain (10^10 outcomes). Run with NegMAS 0.16.0
installed (pip install negmas==0.16.0):

    python scripts/negmas_hyperrectangles.py > tests/data/negmas/hyperrectangles.json
"""

import json
import random
import sys
from pathlib import Path

import negmas
from negmas.inout import Scenario

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    ("hyperrectangles", ROOT / "tests/data/hyperrectangles", None),
    ("10issues", ROOT / "tests/data/genius/10issues", 2000),
]


def number(x):
    """A float for JSON: infinities as the strings "inf" / "-inf" (as reference.json)."""
    x = float(x)
    return x if abs(x) != float("inf") else ("inf" if x > 0 else "-inf")


def main() -> None:
    out = {"generated_by": "scripts/negmas_hyperrectangles.py", "negmas_version": negmas.__version__, "cases": []}
    for name, folder, sample in CASES:
        s = Scenario.load(folder)  # as loaded: a discounted profile keeps its discount
        issues = [i.name for i in s.outcome_space.issues]
        if sample is None:
            outcomes = list(s.outcome_space.enumerate())
        else:
            rng = random.Random(20261125)
            outcomes = [tuple(rng.choice(list(i.all)) for i in s.outcome_space.issues) for _ in range(sample)]
        rows = []
        for o in outcomes:
            rows.append({"outcome": [int(v) for v in o], "utils": [float(u(o)) for u in s.ufuns]})
        out["cases"].append({
            "name": name,
            "issues": issues,
            "types": [type(u).__name__ for u in s.ufuns],
            "reserved_values": [number(u.reserved_value) for u in s.ufuns],
            "outcomes": rows,
        })
    # One outcome per line: small, and diffs stay readable.
    row = lambda r: json.dumps(r, separators=(",", ":"))
    head = {k: v for k, v in out.items() if k != "cases"}
    lines = [json.dumps(head, indent=1)[:-2] + ',\n "cases": [']
    for k, c in enumerate(out["cases"]):
        meta = {key: c[key] for key in ("name", "issues", "types", "reserved_values")}
        lines.append("  " + json.dumps(meta, allow_nan=False)[:-1] + ', "outcomes": [')
        lines.append(",\n".join("   " + row(r) for r in c["outcomes"]))
        lines.append("  ]}" + ("," if k + 1 < len(out["cases"]) else ""))
    lines.append(" ]\n}")
    sys.stdout.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
