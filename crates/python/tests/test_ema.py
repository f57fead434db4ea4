"""The EMA Workbench adapter: a 200-experiment Latin hypercube over scenario keys of the default
scenario through EMA's own sampler and evaluator, then EMA's PRIM on the results (model v2's
outcome classes)."""

from __future__ import annotations

import numpy as np
import pytest

import backchannel as bc
import backchannel.dask
import backchannel.ema

UNCERTAINTIES = {
    "public.visibility": (0.0, 0.6),
    "parties.us.walk_away": (0.0, 0.4),
    "parties.iran.walk_away": (0.0, 0.4),
}


def test_lhs_of_200_experiments_and_prim():
    from ema_workbench import Samplers, SequentialEvaluator, perform_experiments
    from ema_workbench.analysis import prim

    model = backchannel.ema.model(UNCERTAINTIES, runs=60, seed=1, threads=1)
    # EMA's Latin hypercube shuffles with NumPy's global generator: seed it, so the test is
    # the same every time.
    np.random.seed(20261206)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(model, scenarios=200, uncertainty_sampling=Samplers.LHS, evaluator=evaluator)
    assert len(experiments) == 200
    names = [backchannel.ema.parameter_name(k) for k in UNCERTAINTIES]
    x = experiments[names]
    # Latin hypercube: every tenth of every range holds 20 experiments.
    for k, (lo, hi) in zip(names, UNCERTAINTIES.values()):
        counts = np.histogram(x[k], bins=10, range=(lo, hi))[0]
        assert (counts == 20).all(), (k, counts)
    collapse = outcomes["collapse"]
    assert collapse.shape == (200,)
    assert ((collapse >= 0) & (collapse <= 1)).all()
    # The outcome classes partition the runs ("agreement", where the model reports it, is the
    # union of the classes with steps implemented).
    classes = [k for k in backchannel.ema.outcome_names() if k != "agreement"]
    assert np.allclose(sum(outcomes[k] for k in classes), 1.0, atol=1e-12)
    # One experiment re-run outside EMA gives the same forecast (common random numbers).
    first = experiments.iloc[0]
    again = bc.forecast(runs=60, seed=1, counterfactuals=False, records=False, settings={k: float(first[backchannel.ema.parameter_name(k)]) for k in UNCERTAINTIES})
    assert bc.probability(again.result["outcomes"]["collapse"]) == collapse[0]
    # Scenario discovery: which parameter ranges keep the talks going with steps standing? A party
    # leaves when its trust (about 0.3 at the priors) falls below its walk-away floor, so runs
    # stay partial where both floors are low: a box PRIM can find (a collapse, where either floor
    # is high, is a union of two boxes, which PRIM's single box cannot describe).
    partial = outcomes["partial"]
    y = partial > np.percentile(partial, 75)
    p = prim.Prim(x, y, threshold=0.6)
    box = p.find_box()
    limits = box.box_lims[-1]
    assert 0 < box.coverage <= 1 and box.density >= 0.6
    # The box keeps both walk-away floors in the lower part of their ranges.
    for k in ("parties.us.walk_away", "parties.iran.walk_away"):
        name = backchannel.ema.parameter_name(k)
        assert limits[name][1] < 0.3, (name, limits[name])


def test_unknown_outcomes_and_keys_are_refused():
    with pytest.raises(ValueError, match="outcomes"):
        backchannel.ema.model(UNCERTAINTIES, outcomes=["peace"])
    m = backchannel.ema.model({"public.nothing": (0.0, 1.0)}, runs=10)
    with pytest.raises(bc.BackchannelError, match="public.nothing"):
        m.function(public__nothing=0.5)


def test_a_dask_shard_refuses_a_text_that_is_not_its_hash():
    text = bc.default_scenario_text()
    with pytest.raises(bc.BackchannelError, match="does not have this hash"):
        backchannel.dask.run_shard("0" * 64, text, ".", "x", None, (), 10, 0, False, (0, 1), 1)
    agg, records = backchannel.dask.run_shard(bc.content_hash(text), text, ".", "x", None, (), 10, 0, False, (0, 1), 1)
    assert records.num_rows == 10 and '"runs":10' in agg
