"""Tournaments and stakeholder models from Python: the same rows and scores as the CLI, Arrow
tables pandas reads, shards that concatenate to the whole, and the GIL released while Rust runs."""

from __future__ import annotations

import threading
import time

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

import backchannel as bc
from conftest import GENIUS, ROOT, cli_json

AGENTS = ["boulware", "conceder", "micro", "random"]


def _domains():
    return [bc.load_domain(GENIUS / n) for n in ("LaptopB", "ItexvsCypress")]


def test_tournament_equals_the_cli(tmp_path):
    t = bc.tournament(_domains(), AGENTS, steps=60, repetitions=2, seed=4, threads=2)
    out = tmp_path / "run"
    cli = cli_json("tournament", str(GENIUS / "LaptopB"), str(GENIUS / "ItexvsCypress"), "--agents", ",".join(AGENTS), "--steps", "60", "--repetitions", "2", "--seed", "4", "--out", str(out), "--quiet")
    assert t.scores == cli
    csv = pacsv.read_csv(out / "results.csv", convert_options=pacsv.ConvertOptions(strings_can_be_null=False))
    ours = t.results.to_pandas()
    theirs = csv.to_pandas()
    assert list(ours.columns) == list(theirs.columns)
    assert len(ours) == len(theirs) == cli["total_negotiations"]
    for col in ours.columns:
        a, b = ours[col], theirs[col]
        if col in ("agreement", "fault"):
            a = a.fillna("")
            b = b.fillna("")
        if a.dtype.kind == "f":
            assert ((a - b).abs().fillna(0) <= 1e-12 * (1 + b.abs().fillna(0))).all() and (a.isna() == b.isna()).all(), col
        else:
            assert (a.astype(str) == b.astype(str)).all(), col


def test_shards_concatenate_and_threads_do_not_matter():
    whole = bc.tournament(_domains(), AGENTS, steps=40, seed=9, threads=1).results
    parts = [bc.tournament(_domains(), AGENTS, steps=40, seed=9, threads=2, shard=(i, 3)).results for i in range(3)]
    assert pa.concat_tables(parts).equals(whole)
    assert whole.num_rows == 2 * 16 * 2  # domains x ordered agent pairs x role swaps


def test_tables_work_with_pandas():
    t = bc.tournament(_domains(), AGENTS, steps=40)
    df = t.results.to_pandas()
    means = df.groupby("agent_0")["utility_0"].mean()
    assert set(means.index) == set(AGENTS)
    scores = t.agent_scores.to_pandas()
    assert list(scores["agent"]) == [a["agent"] for a in t.scores["agents"]]


def test_the_gil_is_released_while_rust_runs():
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    th = threading.Thread(target=tick)
    th.start()
    t0 = time.perf_counter()
    bc.forecast(runs=3000, threads=1, records=False)
    t1 = time.perf_counter()
    stop.set()
    th.join()
    during = [t for t in ticks if t0 <= t <= t1]
    # The Python thread kept running while the forecast ran (it would be frozen under the GIL).
    assert t1 - t0 > 0.05, "the forecast was too short to tell"
    assert len(during) >= 10


def test_errors_name_what_was_wrong():
    with pytest.raises(bc.BackchannelError, match="nobody"):
        bc.tournament(_domains(), ["boulware", "nobody"])
    with pytest.raises(bc.BackchannelError, match="shard"):
        bc.tournament(_domains(), AGENTS, shard=(3, 3))


@pytest.mark.parametrize("model", ["smp", "bdm"])
def test_stakeholders_equal_the_cli(model):
    ours = bc.stakeholders(model=model)
    table = ours.pop("positions")
    assert ours == cli_json("stakeholders", "--model", model)
    assert table.num_rows == len(ours["actors"]) * len(ours["actors"][0]["positions"]) * len(ours["dimensions"])


def test_stakeholders_on_a_ktab_file():
    f = ROOT / "tests" / "data" / "ktab" / "SOE-Policy.csv"
    ours = bc.stakeholders(f, turns=5, params={"VotingRule": "PropCbc"})
    ours.pop("positions")
    assert ours == cli_json("stakeholders", str(f), "--turns", "5", "--param", "VotingRule=PropCbc")


def test_tables_work_with_polars():
    import polars as pl

    t = bc.tournament(_domains(), AGENTS, steps=40, seed=2)
    df = pl.from_arrow(t.results)
    assert df.height == t.results.num_rows
    by_agent = df.group_by("agent_0").agg(pl.col("utility_0").mean()).sort("agent_0")
    assert by_agent["agent_0"].to_list() == sorted(AGENTS)
    # Numeric columns are plain Arrow float64 columns (pyarrow wraps the engine's NumPy arrays).
    col = t.results.column("welfare").chunk(0)
    assert col.null_count == 0 and col.type == pa.float64()
    f = bc.forecast(runs=50, seed=1)
    assert pl.from_arrow(f.records).height == 50
