"""NegMAS interop: a backchannel-backed SAONegotiator inside NegMAS's SAOMechanism reproduces
`backchannel negotiate`'s trace, and NegMAS Scenarios convert to backchannel domains and back
with the same utilities, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import backchannel as bc
from backchannel.negmas import from_negmas, to_negmas
from conftest import GENIUS, cli_json

CASES = [
    ("LaptopB", ["boulware", "conceder"], 100),
    ("ItexvsCypress", ["micro", "micro"], 100),
    ("SmartPhone", ["conceder", "boulware"], 1000),
    ("EnglandZimbabwe", ["tb:e=2.5", "micro"], 200),
    ("Camera", ["hardheaded", "linear"], 100),
    ("Grocery", ["random", "tft-relative"], 100),
]


def _mechanism_trace(name, agents, steps, seed, with_domain):
    from negmas.inout import Scenario
    from negmas.sao import SAOMechanism

    from backchannel.negmas import BackchannelNegotiator

    s = Scenario.load(GENIUS / name, ignore_discount=True)
    d = bc.load_domain(GENIUS / name, semantics="negmas", ignore_discount=True)
    m = SAOMechanism(outcome_space=s.outcome_space, n_steps=steps)
    for k, a in enumerate(agents):
        kw = dict(domain=d, profile=k) if with_domain else {}
        m.add(BackchannelNegotiator(a, seed=seed, name=f"n{k}", **kw), ufun=s.ufuns[k])
    st = m.run()
    ids = [n.id for n in m.negotiators]
    trace = [{"step": int(step), "proposer": ids.index(nid), "outcome": [str(x) for x in o]} for step, nid, o in m.extended_trace]
    agreement = None if st.agreement is None else [str(x) for x in st.agreement]
    return trace, agreement, int(st.step)


@pytest.mark.parametrize("with_domain", [True, False])
@pytest.mark.parametrize("name,agents,steps", CASES)
def test_backchannel_negotiator_in_saomechanism_reproduces_negotiate(name, agents, steps, with_domain):
    seed = 11
    cli = cli_json("negotiate", str(GENIUS / name), "--agents", ",".join(agents), "--steps", str(steps), "--seed", str(seed), "--semantics", "negmas", "--ignore-discount")
    d = bc.load_domain(GENIUS / name, semantics="negmas", ignore_discount=True)
    ours = bc.negotiate(d, agents, steps=steps, seed=seed)
    events = ours.pop("events")
    assert ours == cli
    assert events.num_rows >= len(cli["trace"])
    trace, agreement, step = _mechanism_trace(name, agents, steps, seed, with_domain)
    assert len(cli["trace"]) > 1
    assert trace == cli["trace"]
    assert agreement == cli["agreement"]
    if cli["ending"] == "agreement":
        assert step == cli["step"]


@pytest.mark.parametrize("name", ["Travel", "KillerRobot", "Camera"])
def test_scenarios_convert_both_ways_with_equal_utilities(name):
    from negmas.inout import Scenario

    s = Scenario.load(GENIUS / name)
    d = from_negmas(s)
    outcomes = list(s.outcome_space.enumerate_or_sample(max_cardinality=float("inf")))
    u = d.utilities()
    theirs = np.array([[f(o) for f in s.ufuns] for o in outcomes])
    assert np.array_equal(u, theirs)
    loaded = bc.load_domain(GENIUS / name, semantics="negmas")
    assert np.array_equal(loaded.utilities(), u)
    assert bc.analyze(d)["pareto"][0]["utils"] == bc.analyze(loaded)["pareto"][0]["utils"]
    back = to_negmas(d)
    again = np.array([[f(o) for f in back.ufuns] for o in outcomes])
    assert np.array_equal(again, theirs)


def test_genius_semantics_convert_through_tables():
    from negmas.preferences import LinearAdditiveUtilityFunction, MappingUtilityFunction

    d = bc.load_domain(GENIUS / "LaptopB")  # GENIUS semantics: capped totals, not additive in NegMAS
    s = to_negmas(d)
    kinds = {type(u) for u in s.ufuns}
    assert kinds <= {LinearAdditiveUtilityFunction, MappingUtilityFunction}
    outcomes = list(s.outcome_space.enumerate_or_sample(max_cardinality=float("inf")))
    assert [tuple(d.outcome(k)) for k in range(len(outcomes))] == [tuple(o) for o in outcomes]
    assert np.array_equal(np.array([[f(o) for f in s.ufuns] for o in outcomes]), d.utilities())
    assert [u.reserved_value for u in s.ufuns] == d.reserved_values
