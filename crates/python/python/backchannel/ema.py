"""An EMA Workbench model of the backchannel forecast, so that EMA's samplers (Latin hypercube,
Monte Carlo, Sobol'), evaluators and scenario discovery (PRIM) run on the backchannel model.

Each EMA experiment sets keys of the scenario file (the uncertainties and levers, dotted paths
such as ``mediator.leak``) and runs a forecast on common random numbers (the same seed for
every experiment); its outcomes are the forecast's outcome probabilities.

    from ema_workbench import perform_experiments
    from ema_workbench.analysis import prim
    model = backchannel.ema.model({"public.visibility": (0.0, 0.5), "parties.us.walk_away": (0.0, 0.3)}, runs=200)
    experiments, outcomes = perform_experiments(model, scenarios=200, uncertainty_sampling="lhs")
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from . import forecast, probability

__all__ = ["model", "outcome_names", "parameter_name"]


def outcome_names(scenario: Any = None, *, text: Optional[str] = None, variant: Optional[str] = None) -> Tuple[str, ...]:
    """The forecast's outcome classes (the keys of its ``outcomes``), read from a one-run
    forecast of the scenario, so that the adapter follows the model's classes."""
    f = forecast(scenario, text=text, variant=variant, runs=1, counterfactuals=False, records=False)
    return tuple(f.result["outcomes"])


def parameter_name(key: str) -> str:
    """EMA's name of a scenario key: dots become double underscores (EMA passes parameters as
    keyword arguments, which cannot contain dots)."""
    return key.replace(".", "__")


def model(
    uncertainties: Mapping[str, Tuple[float, float]],
    *,
    name: str = "backchannel",
    scenario: Any = None,
    text: Optional[str] = None,
    variant: Optional[str] = None,
    runs: int = 1_000,
    seed: int = 0,
    outcomes: Optional[Sequence[str]] = None,
    threads: int = 0,
):
    """An ``ema_workbench.Model`` whose uncertainties are the scenario keys of
    ``uncertainties`` (``{key: (low, high)}``, real-valued) and whose outcomes are the forecast
    probabilities named in ``outcomes`` (each a ``ScalarOutcome``; default: every outcome class
    of the forecast, :func:`outcome_names`)."""
    from ema_workbench import Model, RealParameter, ScalarOutcome

    keys = {parameter_name(k): k for k in uncertainties}
    known = outcome_names(scenario, text=text, variant=variant)
    outcomes = tuple(known if outcomes is None else outcomes)
    unknown = [o for o in outcomes if o not in known]
    if unknown:
        raise ValueError(f"outcomes: expected names among {', '.join(known)}, found {', '.join(unknown)}")

    def run(**params: float) -> Dict[str, float]:
        settings = {keys[p]: float(v) for p, v in params.items() if p in keys}
        f = forecast(scenario, text=text, variant=variant, runs=runs, seed=seed, counterfactuals=False, settings=settings, threads=threads, records=False)
        return {o: probability(f.result["outcomes"][o]) for o in outcomes}

    m = Model(name, function=run)
    m.uncertainties = [RealParameter(p, float(lo), float(hi)) for p, (lo, hi) in ((parameter_name(k), v) for k, v in uncertainties.items())]
    m.outcomes = [ScalarOutcome(o) for o in outcomes]
    return m
