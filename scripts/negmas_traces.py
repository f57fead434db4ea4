#!/usr/bin/env python
# Produces tests/data/negmas/traces.json: NegMAS 0.16.0's full SAO offer traces for the
# deterministic agents on the tie-free domains, the reference the parity tests compare against.
"""NegMAS 0.16.0 offer traces for the parity tests of bc-strategy / bc-protocol.

Usage:  <python with negmas==0.16.0> scripts/negmas_traces.py [DOMAINS_DIR] [OUT.json]

Defaults: DOMAINS_DIR = tests/data/genius, OUT = tests/data/negmas/traces.json.

Every run: Scenario.load(folder, ignore_discount=True); SAOMechanism(outcome_space=...,
n_steps=N) with every other argument at its default (no wall-clock limit); negotiator i gets
scenario.ufuns[UFUNS[i]]; random.seed(0) and numpy.random.seed(0) before each run (the agents
used are deterministic on these domains). The trace is NegMAS's `extended_trace`
(step, proposer index, outcome) -- one entry per new offer.

Domains: those whose profiles have pairwise-distinct utilities over the whole space (so the
presorting inverter's unstable numpy argsort cannot change the order; STRATEGIES.md section 4).
"""

from __future__ import annotations

import json
import platform
import random
import sys
import warnings
from pathlib import Path

import numpy as np

import negmas
from negmas.inout import Scenario
from negmas.sao import SAOMechanism
from negmas.sao.negotiators import (
    AspirationNegotiator,
    BoulwareTBNegotiator,
    ConcederTBNegotiator,
    LinearTBNegotiator,
    MiCRONegotiator,
)

warnings.filterwarnings("ignore")
ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ["Ultimatum", "FiftyFifty2013", "LaptopB", "ItexvsCypress", "EnglandZimbabwe", "SmartPhone"]
STEPS = [100, 1000]

# pair name -> (negotiator classes in add() order, ufun index of each)
PAIRS = {
    "boulware_conceder": ([BoulwareTBNegotiator, ConcederTBNegotiator], [0, 1]),
    "conceder_boulware": ([ConcederTBNegotiator, BoulwareTBNegotiator], [0, 1]),
    "aspiration_aspiration": ([AspirationNegotiator, AspirationNegotiator], [0, 1]),
    "linear_linear": ([LinearTBNegotiator, LinearTBNegotiator], [0, 1]),
    "micro_micro": ([MiCRONegotiator, MiCRONegotiator], [0, 1]),
    # Three parties (the first profile twice): NegMAS's multilateral SAO rules.
    "boulware_conceder_linear": ([BoulwareTBNegotiator, ConcederTBNegotiator, LinearTBNegotiator], [0, 1, 0]),
}
AGENT_NAMES = {
    BoulwareTBNegotiator: "boulware",
    ConcederTBNegotiator: "conceder",
    LinearTBNegotiator: "linear",
    AspirationNegotiator: "aspiration",
    MiCRONegotiator: "micro",
}


def value(v):
    return v if isinstance(v, str) else str(v)


def run(folder: Path, pair: str, n_steps: int):
    random.seed(0)
    np.random.seed(0)
    s = Scenario.load(folder, ignore_discount=True)
    classes, idx = PAIRS[pair]
    m = SAOMechanism(outcome_space=s.outcome_space, n_steps=n_steps)
    for k, (c, i) in enumerate(zip(classes, idx)):
        m.add(c(name=f"n{k}"), ufun=s.ufuns[i])
    st = m.run()
    ids = [n.id for n in m.negotiators]
    trace = [[int(step), ids.index(nid), [value(x) for x in o]] for step, nid, o in m.extended_trace]
    return dict(
        domain=folder.name,
        pair=pair,
        agents=[AGENT_NAMES[c] for c in classes],
        ufun_indices=idx,
        n_steps=n_steps,
        agreement=[value(x) for x in st.agreement] if st.agreement is not None else None,
        step=int(st.step),
        timedout=bool(st.timedout),
        broken=bool(st.broken),
        trace=trace,
    )


def main():
    dom = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "genius"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests" / "data" / "negmas" / "traces.json"
    runs = []
    for d in DOMAINS:
        for pair in PAIRS:
            for n in STEPS:
                r = run(dom / d, pair, n)
                print(d, pair, n, r["step"], r["agreement"], len(r["trace"]), flush=True)
                runs.append(r)
    result = dict(
        negmas_version=negmas.__version__,
        numpy_version=np.__version__,
        python=sys.version.split()[0],
        platform=platform.platform(),
        produced_by="scripts/negmas_traces.py",
        settings="Scenario.load(folder, ignore_discount=True); SAOMechanism(outcome_space, n_steps=N), defaults otherwise; seeds 0",
        runs=runs,
    )
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, separators=(",", ":")))
    tmp.replace(out)
    print("wrote", out)


if __name__ == "__main__":
    main()
