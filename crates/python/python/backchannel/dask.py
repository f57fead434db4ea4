"""Forecast shards as Dask tasks, merged exactly.

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

from typing import Any, Mapping, Optional, Tuple

from . import Forecast, _core, _scenario, _table, merge_forecasts
from . import BackchannelError

__all__ = ["forecast", "run_shard"]


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
) -> Tuple[str, Any]:
    """One shard on a worker: ``(aggregate JSON text, records table)``. Refuses a text whose
    hash is not ``digest`` (a stale or corrupted copy)."""
    if _core.content_hash(text) != digest:
        raise BackchannelError(f"scenario {digest[:12]}…: the text received does not have this hash")
    agg, cols = _core.forecast_shard(text, source, base_dir, variant, list(settings), runs, seed, counterfactuals, shard, threads, True)
    return agg, _table(cols)


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
    digest = _core.content_hash(body)
    key = f"backchannel-scenario-{digest}"
    text_future = client.scatter({key: body}, broadcast=False)[key]
    s = tuple((str(k), float(v)) for k, v in (settings or {}).items())
    futures = [
        client.submit(
            run_shard, digest, text_future, base, source, variant, s, runs, seed, counterfactuals, (i, shards), threads_per_task,
            key=f"backchannel-forecast-{digest[:16]}-{seed}-{runs}-{int(counterfactuals)}-{abs(hash((variant, s))):x}-{i}of{shards}",
            pure=False,
        )
        for i in range(shards)
    ]
    parts = client.gather(futures)
    return merge_forecasts([Forecast(result={}, records=records, aggregate=agg) for agg, records in parts])
