"""backchannel from Python: negotiation domains, outcome analytics, negotiations, tournaments,
stakeholder models and the backchannel forecast, computed by the Rust engine.

Every function returns the same keys and values as the matching ``backchannel ... --json``
command; tables (tournament results, negotiation events, forecast records) are
``pyarrow.Table`` objects, usable by pandas (``.to_pandas()``) and polars (``polars.from_arrow``).
Bad input raises :class:`BackchannelError` (a ``ValueError``) whose message names the file, the
line or field, what was expected and what was found. The engine releases the GIL while it works,
so threads of one Python process run negotiations, analyses and forecasts in parallel.

Submodules: :mod:`backchannel.negmas` (NegMAS interop), :mod:`backchannel.dask` (forecast
shards as Dask tasks), :mod:`backchannel.ema` (an EMA Workbench model).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Agent, BackchannelError, Domain

__version__ = _core.__version__

__all__ = [
    "Agent",
    "BackchannelError",
    "Domain",
    "Forecast",
    "Tournament",
    "agents",
    "analyze",
    "content_hash",
    "default_scenario_text",
    "forecast",
    "load_domain",
    "merge_forecasts",
    "nash_points",
    "negotiate",
    "pareto_frontier",
    "probability",
    "stakeholders",
    "sweep",
    "tournament",
]

PathLike = Union[str, "os.PathLike[str]"]


def load_domain(path: PathLike, *profiles: PathLike, semantics: str = "genius", ignore_discount: bool = False) -> Domain:
    """Loads a GENIUS or GeniusWeb domain: a folder, or a domain file followed by profile files.

    ``semantics="genius"`` follows GENIUS's own rules, ``"negmas"`` NegMAS 0.16's reading
    (README, Conventions). ``ignore_discount`` drops every discount (NegMAS's
    ``ignore_discount=True``).
    """
    paths = [os.fspath(path)] + [os.fspath(p) for p in profiles]
    return Domain.load(paths, semantics, ignore_discount)


def analyze(
    domain: Union[Domain, np.ndarray],
    profiles: Optional[Sequence[int]] = None,
    *,
    normalize: Optional[str] = None,
    sample: Optional[int] = None,
    seed: int = 0,
    max_outcomes: Optional[int] = None,
    reserved: Optional[Sequence[float]] = None,
) -> Dict[str, Any]:
    """Pareto frontier, Nash, Kalai–Smorodinsky, egalitarian and welfare points.

    On a :class:`Domain`, returns exactly what ``backchannel analyze --json`` prints for it (with
    ``profiles``, ``normalize`` = ``"per-party"``/``"shared"``, ``sample``/``seed`` and
    ``max_outcomes`` as its flags). On an array of shape (outcomes, parties), the same analysis
    of those utility vectors (``reserved``: each party's reservation value, default ``-inf``),
    its points naming their row as ``"index"``.
    """
    if isinstance(domain, Domain):
        return json.loads(_core.analyze_json(domain, None if profiles is None else list(profiles), normalize, sample, seed, max_outcomes))
    utils = _as_matrix(domain)
    return json.loads(_core.analyze_array_json(utils, _reserved(reserved, utils.shape[1])))


def _as_matrix(utils: Any) -> np.ndarray:
    a = np.ascontiguousarray(utils, dtype=np.float64)
    if a.ndim != 2:
        raise BackchannelError(f"utilities: expected an array of shape (outcomes, parties), found {a.ndim} dimension(s)")
    return a


def _reserved(reserved: Optional[Sequence[Optional[float]]], n: int) -> List[float]:
    if reserved is None:
        return [float("-inf")] * n
    return [float("-inf") if r is None else float(r) for r in reserved]


def pareto_frontier(
    utils: Any,
    reserved: Optional[Sequence[Optional[float]]] = None,
    sort_by_welfare: bool = True,
) -> Tuple[Tuple[Tuple[float, ...], ...], Tuple[int, ...]]:
    """A drop-in for NegMAS's ``pareto_frontier`` on evaluated outcomes.

    ``utils`` has one row per outcome and one column per party (``reserved``: each party's
    reservation value; rows below one, or with a non-finite utility, are skipped, as NegMAS
    does). Returns ``(frontier utilities, row indices)`` as NegMAS does, sorted by welfare
    descending (ties by row) when ``sort_by_welfare``. Of identical rows the first is kept.
    """
    a = _as_matrix(utils)
    idx = _core.pareto_indices(a, _reserved(reserved, a.shape[1]), sort_by_welfare)
    return tuple(tuple(float(x) for x in a[k]) for k in idx), tuple(int(k) for k in idx)


def nash_points(
    frontier: Any,
    ranges: Sequence[Tuple[float, float]],
    reserved: Optional[Sequence[Optional[float]]] = None,
    eps: float = 1e-12,
) -> Tuple[Tuple[Tuple[float, ...], int], ...]:
    """A drop-in for NegMAS's ``nash_points``: the frontier points maximising the product of
    gains over the disagreement point, as ``((utilities, index into frontier), ...)``.

    ``ranges``: each party's (lowest, highest) utility over the space; ``reserved``: each
    party's reservation value (the disagreement point where finite and not below the lowest).
    """
    f = np.ascontiguousarray(frontier, dtype=np.float64)
    if f.size == 0:
        return tuple()
    f = _as_matrix(f)
    idx = _core.nash_indices(f, [(float(lo), float(hi)) for lo, hi in ranges], _reserved(reserved, f.shape[1]), eps)
    return tuple((tuple(float(x) for x in f[k]), int(k)) for k in idx)


def _table(columns: Sequence[Tuple[str, Tuple[str, Any, Any]]]):
    """A pyarrow table from the engine's columns (numeric NumPy arrays are wrapped, not copied)."""
    import pyarrow as pa

    names, arrays = [], []
    for name, (kind, values, mask) in columns:
        names.append(name)
        if kind == "text":
            arrays.append(pa.array(values, type=pa.string()))
        elif mask is not None and mask.any():
            arrays.append(pa.array(values, mask=mask))
        else:
            arrays.append(pa.array(values))
    return pa.Table.from_arrays(arrays, names=names)


def negotiate(
    domain: Domain,
    agents: Sequence[str],
    *,
    protocol: str = "sao",
    mediator: Optional[str] = None,
    profiles: Optional[Sequence[int]] = None,
    steps: int = 100,
    seed: int = 0,
) -> Dict[str, Any]:
    """One negotiation between named agents (``backchannel.agents()`` lists them).

    Returns what ``backchannel negotiate --json`` prints (agreement, step, utilities, distances,
    the offer ``trace``), plus ``"events"``: every event (``--trace``'s JSON Lines) as a
    ``pyarrow.Table``. A domain loaded with ``semantics="negmas", ignore_discount=True``
    reproduces NegMAS's SAO traces.
    """
    import pyarrow as pa

    text, events = _core.negotiate_json(domain, list(agents), protocol, mediator, None if profiles is None else list(profiles), steps, seed)
    result = json.loads(text)
    rows = json.loads(events)
    for r in rows:
        for k in ("outcome", "agreement"):
            if k in r and isinstance(r[k], list):
                r[k] = " | ".join(r[k])
    result["events"] = pa.Table.from_pylist(rows)
    return result


def agents() -> List[Tuple[str, str, List[str]]]:
    """The agents of the registry: ``[(name, description, parameters)]``."""
    return _core.agents()


@dataclass
class Tournament:
    """A tournament's results.

    ``results``: one row per negotiation, the columns of ``results.csv``; ``scores``: what
    ``backchannel tournament --json`` prints (per-agent means, ranked); ``agent_scores``: those
    scores as a table.
    """

    results: Any
    scores: Dict[str, Any]

    @property
    def agent_scores(self):
        import pyarrow as pa

        return pa.Table.from_pylist(self.scores["agents"])


def tournament(
    domains: Iterable[Domain],
    agents: Sequence[str],
    *,
    protocol: str = "sao",
    mediator: Optional[str] = None,
    parties: int = 2,
    steps: int = 100,
    repetitions: int = 1,
    self_play: bool = True,
    seed: int = 0,
    threads: int = 0,
    shard: Optional[Tuple[int, int]] = None,
    time_limit_ms: Optional[int] = None,
) -> Tournament:
    """Every agent tuple on every domain, each role assignment, ``repetitions`` times.

    The same jobs, seeds and rows as ``backchannel tournament``: rows do not depend on
    ``threads``, and the ``results`` of ``shard=(i, N)`` for ``i`` in ``0..N`` concatenate to the
    unsharded table.
    """
    cols, scores = _core.tournament_columns(list(domains), list(agents), protocol, mediator, parties, steps, repetitions, self_play, seed, threads, shard, time_limit_ms)
    return Tournament(results=_table(cols), scores=json.loads(scores))


def stakeholders(
    file: Optional[PathLike] = None,
    *,
    model: str = "smp",
    turns: Optional[int] = None,
    seed: Optional[int] = None,
    params: Optional[Mapping[str, Any]] = None,
    fix_quirks: bool = False,
) -> Dict[str, Any]:
    """A stakeholder model (KTAB's Spatial Model of Politics, ``model="smp"``, or BDM/Scholz,
    ``model="bdm"``) on a KTAB CSV/XML scenario, or on the embedded illustrative US–Iran one.

    Returns what ``backchannel stakeholders --json`` prints, plus ``"positions"``: every actor's
    position per turn and dimension as a ``pyarrow.Table`` (columns turn, actor, dimension,
    position).
    """
    import pyarrow as pa

    p = [(str(k), str(v)) for k, v in (params or {}).items()]
    result = json.loads(_core.stakeholders_json(None if file is None else os.fspath(file), model, turns, seed, p, fix_quirks))
    rows = []
    for a in result["actors"]:
        for t, pos in enumerate(a["positions"]):
            for d, x in zip(result["dimensions"], pos):
                rows.append({"turn": t, "actor": a["name"], "dimension": d, "position": x})
    result["positions"] = pa.Table.from_pylist(rows)
    return result


def default_scenario_text() -> str:
    """The embedded default scenario (US–Iran talks through Pakistan) as TOML."""
    return _core.default_scenario_text()


def content_hash(text: str) -> str:
    """SHA-256 (hex) of a scenario's text: the name under which workers receive it."""
    return _core.content_hash(text)


def _scenario(scenario: Optional[PathLike], text: Optional[str]) -> Tuple[Optional[str], str, str]:
    """(TOML text or None for the default, source name, base directory)."""
    if scenario is not None and text is not None:
        raise BackchannelError("scenario: give a file or a text, not both")
    if scenario is not None:
        p = Path(os.fspath(scenario))
        try:
            body = p.read_text(encoding="utf-8")
        except OSError as e:
            raise BackchannelError(f"{p}: cannot read the scenario: {e.strerror or e}") from None
        return body, str(p), str(p.parent)
    if text is not None:
        return text, "<string>", "."
    return None, _core.DEFAULT_SOURCE, "."


@dataclass
class Forecast:
    """A forecast (or one shard of it).

    ``result``: what ``backchannel run --json`` prints (outcome probabilities with intervals,
    first step, counterfactuals, sensitivity); ``records``: one row per run as a
    ``pyarrow.Table`` (the run directory's record columns); ``aggregate``: the exact mergeable
    statistics as JSON text (shards merge with :func:`merge_forecasts`).
    """

    result: Dict[str, Any]
    records: Any
    aggregate: str = field(repr=False)


def forecast(
    scenario: Optional[PathLike] = None,
    *,
    text: Optional[str] = None,
    variant: Optional[str] = None,
    runs: int = 10_000,
    seed: int = 0,
    counterfactuals: bool = True,
    settings: Optional[Mapping[str, float]] = None,
    shard: Optional[Tuple[int, int]] = None,
    threads: int = 0,
    records: bool = True,
) -> Forecast:
    """The Monte Carlo forecast of a backchannel scenario: a TOML file (``scenario``), a TOML
    string (``text``) or the embedded default (neither).

    ``settings`` sets keys of the scenario file to numbers first (``{"mediator.leak": 0.2}``,
    as ``backchannel sweep`` does). ``shard=(i, N)`` runs only slice ``i`` of ``N`` of the runs;
    merged with :func:`merge_forecasts`, shards equal the whole run byte for byte. The same seed
    gives the same forecast whatever ``threads``.
    """
    body, source, base = _scenario(scenario, text)
    s = [(str(k), float(v)) for k, v in (settings or {}).items()]
    agg, cols = _core.forecast_shard(body, source, base, variant, s, runs, seed, counterfactuals, shard, threads, records)
    return Forecast(result=json.loads(_core.forecast_summary_json(agg)), records=_table(cols) if records else None, aggregate=agg)


def merge_forecasts(parts: Sequence[Forecast]) -> Forecast:
    """Merges the forecasts of shards (in shard order) into the whole forecast, exactly."""
    import pyarrow as pa

    if not parts:
        raise BackchannelError("merge: expected at least one forecast, found none")
    agg = _core.merge_aggregates([p.aggregate for p in parts])
    tables = [p.records for p in parts if p.records is not None]
    records = pa.concat_tables(tables) if len(tables) == len(parts) else None
    return Forecast(result=json.loads(_core.forecast_summary_json(agg)), records=records, aggregate=agg)


def sweep(
    scenario: Optional[PathLike] = None,
    *,
    text: Optional[str] = None,
    grid: Optional[Mapping[str, Sequence[float]]] = None,
    points: Optional[Sequence[Mapping[str, float]]] = None,
    variant: Optional[str] = None,
    runs: int = 2_000,
    seed: int = 0,
    threads: int = 0,
):
    """A parameter study: one forecast per point, on common random numbers (the same seed at
    every point). Points are the full ``grid`` of ``{key: [values]}`` (last key fastest) or an
    explicit list of ``points`` (``[{key: value}]``, e.g. a Latin hypercube from SALib).

    Returns a ``pyarrow.Table``: one row per point, the point's values, then the probabilities
    of each outcome class and of any agreement.
    """
    import pyarrow as pa

    pts = _sweep_points(grid, points)
    rows = []
    for k, p in enumerate(pts):
        f = forecast(scenario, text=text, variant=variant, runs=runs, seed=seed, counterfactuals=False, settings=p, threads=threads, records=False)
        rows.append(_sweep_row(k, p, f.result))
    return pa.Table.from_pylist(rows)


def _sweep_points(grid: Optional[Mapping[str, Sequence[float]]], points: Optional[Sequence[Mapping[str, float]]]) -> List[Dict[str, float]]:
    """The points of a sweep: the full grid (last key fastest) or the given list."""
    import itertools

    if (grid is None) == (points is None):
        raise BackchannelError("sweep: give either grid or points")
    if grid is not None:
        keys = list(grid)
        return [dict(zip(keys, combo)) for combo in itertools.product(*(list(grid[k]) for k in keys))]
    return [dict(p) for p in points]  # type: ignore[union-attr]


def _sweep_row(k: int, point: Mapping[str, float], result: Mapping[str, Any]) -> Dict[str, Any]:
    """One row of a sweep's table: the point's number and values, then outcome probabilities."""
    row: Dict[str, Any] = {"point": k}
    row.update({key: float(v) for key, v in point.items()})
    for name, prob in result["outcomes"].items():
        row[name] = probability(prob)
    return row


def probability(x: Mapping[str, Any]) -> float:
    """The estimate of a probability in a forecast's JSON (``{"p": ...}`` or
    ``{"estimate": ...}``, with its interval)."""
    return x["p"] if "p" in x else x["estimate"]
