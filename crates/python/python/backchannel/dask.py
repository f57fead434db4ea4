"""Forecast shards and sweep points as Dask tasks, merged exactly.

A forecast of ``runs`` runs is cut into ``shards`` contiguous slices (``shard=(i, N)``, as
``backchannel run --shard i/N``); each slice is one Dask task that runs the Rust engine and
returns its exact, mergeable aggregate and its records. The client merges the aggregates in
shard order, so the result is byte-identical to the local, unsharded forecast.

Scenarios travel by content: the scenario's TOML text is scattered once under the key
``backchannel-scenario-<sha256>`` and every task names it by that hash (and checks it), so no
model object is pickled and a worker that already holds the text does not receive it again.

The same design on Ray: ``ray.put(text)`` once, a ``@ray.remote`` function calling
``backchannel.forecast(text=..., shard=(i, N))`` and returning ``(f.aggregate, f.records)``
per shard, then :func:`backchannel.merge_forecasts` on the results in shard order
(``docs/python.md``).
"""

from __future__ import annotations

import json
import uuid
import weakref
from typing import Any, Dict, Mapping, Optional, Tuple

from . import Forecast, _core, _scenario, _sweep_points, _sweep_row, _table, merge_forecasts
from . import BackchannelError

__all__ = ["forecast", "run_shard", "scenario_future", "sweep"]

# The scenario texts each client has scattered, by content hash: a text goes to the cluster once
# per client and stays there while the client lives (re-scattering a key whose previous copy is
# being released would race with that release).
_SCATTERED: "weakref.WeakKeyDictionary[Any, Dict[str, Any]]" = weakref.WeakKeyDictionary()


def scenario_future(client: Any, text: str) -> Tuple[str, Any]:
    """``(sha256 of text, a future of text held under backchannel-scenario-<sha256>)``,
    scattering the text only the first time this client sees it."""
    digest = _core.content_hash(text)
    held = _SCATTERED.setdefault(client, {})
    if digest not in held:
        key = f"backchannel-scenario-{digest}"
        held[digest] = client.scatter({key: text}, broadcast=False)[key]
    return digest, held[digest]


def run_shard(
    digest: str,
    text: str,
    base_dir: str,
    source: str,
    variant: Optional[str],
    settings: Tuple[Tuple[str, float], ...],
    runs: int,
    seed: int,
    counterfactuals: bool,
    shard: Tuple[int, int],
    threads: int,
    records: bool = True,
) -> Tuple[str, Any]:
    """One shard on a worker: ``(aggregate JSON text, records table)``. Refuses a text whose
    hash is not ``digest`` (a stale or corrupted copy)."""
    if _core.content_hash(text) != digest:
        raise BackchannelError(f"scenario {digest[:12]}…: the text received does not have this hash")
    agg, cols = _core.forecast_shard(text, source, base_dir, variant, list(settings), runs, seed, counterfactuals, shard, threads, records)
    return agg, _table(cols) if records else None


def forecast(
    client: Any,
    scenario: Any = None,
    *,
    text: Optional[str] = None,
    variant: Optional[str] = None,
    runs: int = 10_000,
    seed: int = 0,
    counterfactuals: bool = True,
    settings: Optional[Mapping[str, float]] = None,
    shards: int = 4,
    threads_per_task: int = 1,
    records: bool = True,
) -> Forecast:
    """The forecast of :func:`backchannel.forecast`, run as ``shards`` tasks on a
    ``distributed.Client``; equal, byte for byte (aggregate, result and records), to the local
    run with the same arguments."""
    if shards < 1:
        raise BackchannelError(f"shards: expected at least 1, found {shards}")
    body, source, base = _scenario(scenario, text)
    if body is None:
        body = _core.default_scenario_text()
        source = _core.DEFAULT_SOURCE
    digest, text_future = scenario_future(client, body)
    s = tuple((str(k), float(v)) for k, v in (settings or {}).items())
    # Task keys name the scenario and the shard; the suffix keeps repeated calls apart.
    call = uuid.uuid4().hex[:12]
    futures = [
        client.submit(
            run_shard, digest, text_future, base, source, variant, s, runs, seed, counterfactuals, (i, shards), threads_per_task, records,
            key=f"backchannel-forecast-{digest[:16]}-{i}of{shards}-{call}",
            pure=False,
        )
        for i in range(shards)
    ]
    parts = client.gather(futures)
    return merge_forecasts([Forecast(result={}, records=records, aggregate=agg) for agg, records in parts])


def sweep(
    client: Any,
    scenario: Any = None,
    *,
    text: Optional[str] = None,
    grid: Optional[Mapping[str, Any]] = None,
    points: Optional[Any] = None,
    variant: Optional[str] = None,
    runs: int = 2_000,
    seed: int = 0,
    threads_per_task: int = 1,
):
    """The sweep of :func:`backchannel.sweep`, one Dask task per point (the scenario scattered
    once, by content hash); the same table, row for row."""
    import pyarrow as pa

    body, source, base = _scenario(scenario, text)
    if body is None:
        body, source = _core.default_scenario_text(), _core.DEFAULT_SOURCE
    pts = _sweep_points(grid, points)
    digest, text_future = scenario_future(client, body)
    call = uuid.uuid4().hex[:12]
    futures = [
        client.submit(
            run_shard, digest, text_future, base, source, variant, tuple((str(k), float(v)) for k, v in p.items()), runs, seed, False, (0, 1), threads_per_task, False,
            key=f"backchannel-sweep-{digest[:16]}-{k}-{call}",
            pure=False,
        )
        for k, p in enumerate(pts)
    ]
    results = client.gather(futures)
    rows = [_sweep_row(k, p, json.loads(_core.forecast_summary_json(agg))) for k, (p, (agg, _)) in enumerate(zip(pts, results))]
    return pa.Table.from_pylist(rows)
