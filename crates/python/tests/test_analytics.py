"""Analytics from Python: `analyze` equals `backchannel analyze --json` on every bundled domain,
and equals NegMAS 0.16's own pareto_frontier / nash / Kalai / KS / welfare points (computed here,
with NegMAS installed) on every domain NegMAS can enumerate; the array drop-ins equal NegMAS's
functions on the same arrays."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

import backchannel as bc
from conftest import DOMAINS, GENIUS, cli_error, cli_json

# NegMAS enumerates every outcome in Python: EnergyGrid (5.8 million) takes minutes, so it runs
# only with BC_SLOW=1; 10issues (10^10 outcomes) NegMAS cannot analyse at all.
SLOW = {"EnergyGrid"}
NEGMAS_DOMAINS = [d for d in DOMAINS if d != "10issues" and (d not in SLOW or os.environ.get("BC_SLOW"))]
PAIRS = {"EnergyGrid": (1, 2)}


@pytest.mark.parametrize("semantics", ["genius", "negmas"])
@pytest.mark.parametrize("name", [d for d in DOMAINS if d != "10issues"])
def test_analyze_equals_the_cli(name, semantics):
    d = bc.load_domain(GENIUS / name, semantics=semantics)
    pair = PAIRS.get(name, (0, 1))
    ours = bc.analyze(d, profiles=list(pair))
    ps = [str(p) for p in d_profiles(name)]
    cli = cli_json("analyze", str(d.domain_file), ps[pair[0]], ps[pair[1]], "--semantics", semantics)
    assert ours == cli


def d_profiles(name):
    d = bc.load_domain(GENIUS / name)
    import re

    folder = GENIUS / name
    files = []
    for f in sorted(folder.iterdir()):
        if f.suffix == ".xml" and not f.name.endswith("pareto.xml"):
            head = f.read_text(errors="replace")
            m = re.search(r"<([A-Za-z_][\w.-]*)", re.sub(r"<[?!].*?>", "", head, flags=re.S))
            if m and m.group(1) == "utility_space":
                files.append(f)
    assert len(files) == len(d.profiles)
    return files


def test_whole_folder_analysis_equals_the_cli():
    d = bc.load_domain(GENIUS / "KillerRobot")
    assert bc.analyze(d) == cli_json("analyze", str(GENIUS / "KillerRobot"))
    assert bc.analyze(d, normalize="shared") == cli_json("analyze", str(GENIUS / "KillerRobot"), "--normalize", "shared")
    d10 = bc.load_domain(GENIUS / "10issues")
    assert bc.analyze(d10, sample=2000, seed=3) == cli_json("analyze", str(GENIUS / "10issues"), "--sample", "2000", "--seed", "3")


def test_refusals_carry_the_cli_message():
    d10 = bc.load_domain(GENIUS / "10issues")
    with pytest.raises(bc.BackchannelError) as e:
        bc.analyze(d10)
    assert str(e.value) == cli_error("analyze", str(GENIUS / "10issues")).removeprefix("error: ")


def _num(x):
    if isinstance(x, str):
        return float(x)
    return x


def _utils(points):
    return sorted(tuple(float(v) for v in p["utils"]) for p in points)


def _negmas_utils(points):
    return sorted(tuple(float(v) for v in u) for u, _ in points)


@pytest.mark.parametrize("name", NEGMAS_DOMAINS)
def test_analytics_equal_negmas(name):
    from negmas.inout import Scenario
    from negmas.preferences.ops import kalai_points, ks_points, max_relative_welfare_points, max_welfare_points, nash_points, pareto_frontier

    s = Scenario.load(GENIUS / name)
    pair = PAIRS.get(name, (0, 1))
    ufuns = [s.ufuns[k] for k in pair]
    os_ = s.outcome_space
    outcomes = list(os_.enumerate_or_sample(max_cardinality=float("inf")))
    ranges = [u.minmax(os_, above_reserve=False) for u in ufuns]
    putils, pidx = pareto_frontier(ufuns, outcomes, sort_by_welfare=True, eps=1e-12)

    ours = bc.analyze(bc.load_domain(GENIUS / name, semantics="negmas"), profiles=list(pair))
    assert ours["n_pareto"] == len(putils)
    assert _utils(ours["pareto"]) == sorted(tuple(map(float, u)) for u in putils)
    assert [[_num(x) for x in r] for r in ours["ranges"]] == [[float(x) for x in r] for r in ranges]
    rvs = [float("-inf") if u.reserved_value is None else float(u.reserved_value) for u in ufuns]
    assert [_num(x) for x in ours["reserved_values"]] == rvs
    checks = {
        "nash": nash_points(ufuns, ranges=ranges, frontier=putils),
        "kalai": kalai_points(ufuns, ranges=ranges, frontier=putils, subtract_reserved_value=True),
        "modified_kalai": kalai_points(ufuns, ranges=ranges, frontier=putils, subtract_reserved_value=False),
        "kalai_smorodinsky": ks_points(ufuns, ranges=ranges, frontier=putils, subtract_reserved_value=True),
        "modified_ks": ks_points(ufuns, ranges=ranges, frontier=putils, subtract_reserved_value=False),
        "max_welfare": max_welfare_points(ufuns, ranges=ranges, frontier=putils),
        "max_relative_welfare": max_relative_welfare_points(ufuns, ranges=ranges, frontier=putils),
    }
    for key, theirs in checks.items():
        assert _utils(ours[key]) == _negmas_utils(theirs), key

    # The drop-ins, on the very arrays NegMAS evaluated.
    points = np.array([[u(o) for u in ufuns] for o in outcomes], dtype=float)
    f_utils, f_idx = bc.pareto_frontier(points, rvs)
    assert sorted(f_utils) == sorted(tuple(map(float, u)) for u in putils)
    assert all(tuple(points[k]) == u for k, u in zip(f_idx, f_utils))
    welfare = [sum(u) for u in f_utils]
    assert welfare == sorted(welfare, reverse=True)
    mine = bc.nash_points(f_utils, ranges, rvs)
    assert sorted(u for u, _ in mine) == _negmas_utils(checks["nash"])
    assert all(f_utils[i] == u for u, i in mine)


def test_array_analysis_matches_the_domains():
    d = bc.load_domain(GENIUS / "Camera", semantics="negmas")
    whole = bc.analyze(d)
    u = d.utilities()
    arr = bc.analyze(u, reserved=d.reserved_values)
    for key in ("n_pareto", "ranges", "disagreement", "reserved_values"):
        assert arr[key] == whole[key], key
    for key in ("pareto", "nash", "kalai", "kalai_smorodinsky", "max_welfare"):
        assert [p["utils"] for p in arr[key]] == [p["utils"] for p in whole[key]], key
        for p, q in zip(arr[key], whole[key]):
            assert list(d.outcome(p["index"])) == q["outcome"]


def test_bad_arrays_are_refused_with_the_shape():
    with pytest.raises(bc.BackchannelError, match="at least 2 parties"):
        bc.pareto_frontier(np.zeros((4, 1)))
    with pytest.raises(bc.BackchannelError, match="reserved"):
        bc.pareto_frontier(np.zeros((4, 2)), reserved=[0.0])
    with pytest.raises(bc.BackchannelError, match="shape"):
        bc.pareto_frontier(np.zeros(4))
    assert bc.pareto_frontier(np.array([[math.nan, 1.0], [0.5, 0.5]])) == (((0.5, 0.5),), (1,))
