"""The backchannel forecast from Python: the same forecast as `backchannel run --json`, records
as the run directory's, shards merged byte for byte, settings as `sweep` sets them; and the same
forecast run as 4 Dask tasks on a LocalCluster of 2 worker processes, byte-identical."""

from __future__ import annotations

import io
import json
import re

import pyarrow.csv as pacsv
import pytest

import backchannel as bc
from conftest import cli_json

RUNS = 400


def _csv_bytes(table) -> bytes:
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def test_forecast_equals_the_cli():
    f = bc.forecast(runs=RUNS, seed=2)
    assert f.result == cli_json("run", "--runs", str(RUNS), "--seed", "2")
    assert f.records.num_rows == RUNS
    g = bc.forecast(variant="direct", runs=200, seed=1, counterfactuals=False, records=False)
    assert g.result == cli_json("run", "--variant", "direct", "--runs", "200", "--seed", "1", "--no-counterfactuals")


def test_records_equal_the_run_directorys(tmp_path):
    out = tmp_path / "run"
    cli_json("run", "--runs", "120", "--seed", "8", "--out", str(out), "--quiet")
    theirs = pacsv.read_csv(out / "records.csv")
    ours = bc.forecast(runs=120, seed=8).records
    assert ours.column_names == theirs.column_names
    assert ours.to_pandas().fillna(-1).equals(theirs.to_pandas().fillna(-1))


def test_shards_merge_to_the_whole_byte_for_byte():
    whole = bc.forecast(runs=RUNS, seed=5, threads=2)
    parts = [bc.forecast(runs=RUNS, seed=5, shard=(i, 3), threads=1) for i in range(3)]
    merged = bc.merge_forecasts(parts)
    assert merged.aggregate == whole.aggregate
    assert json.dumps(merged.result) == json.dumps(whole.result)
    assert _csv_bytes(merged.records) == _csv_bytes(whole.records)


def test_settings_set_scenario_keys_as_a_file_would(tmp_path):
    text = bc.default_scenario_text()
    edited, n = re.subn(r"(?m)^(\[public\]\nvisibility = )0\.1", r"\g<1>0.35", text)
    assert n == 1
    path = tmp_path / "s.toml"
    path.write_text(edited)
    by_settings = bc.forecast(runs=200, seed=3, settings={"public.visibility": 0.35}, records=False)
    by_file = bc.forecast(path, runs=200, seed=3, records=False)
    assert by_settings.result["outcomes"] == by_file.result["outcomes"]
    assert by_file.result == cli_json("run", str(path), "--runs", "200", "--seed", "3")
    with pytest.raises(bc.BackchannelError, match="public.nothing"):
        bc.forecast(runs=10, settings={"public.nothing": 1.0})


def test_sweep_gives_one_row_per_point():
    t = bc.sweep(grid={"public.visibility": [0.05, 0.4], "parties.us.walk_away": [0.05, 0.2]}, runs=100, seed=1)
    df = t.to_pandas()
    assert len(df) == 4
    assert list(df["public.visibility"]) == [0.05, 0.05, 0.4, 0.4]
    total = sum(df[k] for k in df.columns if k not in ("point", "agreement", *t.column_names[1:3]))
    assert ((total - 1).abs() < 1e-12).all()
    assert t.column_names[1:3] == ["public.visibility", "parties.us.walk_away"]


def test_scenario_errors_carry_file_line_and_key(tmp_path):
    text = bc.default_scenario_text().replace('round_unit = "week"', 'round_unit = 7', 1)
    with pytest.raises(bc.BackchannelError) as e:
        bc.forecast(text=text, runs=10)
    # source:line: key: expected, found -- as `backchannel scenario validate` reports it.
    assert "<string>:16: scenario.round_unit: expected text, found 7" in str(e.value)


def test_dask_local_cluster_is_byte_identical_to_the_local_run():
    """A forecast as 4 shard tasks on 2 worker processes, and a sweep as one task per point."""
    from distributed import Client, LocalCluster, get_task_stream

    import backchannel.dask

    local = bc.forecast(runs=RUNS, seed=7)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        with get_task_stream(client) as stream:
            remote = backchannel.dask.forecast(client, runs=RUNS, seed=7, shards=4)
        workers = set(client.scheduler_info()["workers"])
        grid = {"public.visibility": [0.05, 0.4], "parties.iran.walk_away": [0.05, 0.3]}
        remote_sweep = backchannel.dask.sweep(client, grid=grid, runs=100, seed=2)
    assert remote_sweep.equals(bc.sweep(grid=grid, runs=100, seed=2))
    shards = [t for t in stream.data if str(t["key"]).startswith("backchannel-forecast-")]
    assert remote.aggregate == local.aggregate
    assert json.dumps(remote.result) == json.dumps(local.result)
    assert _csv_bytes(remote.records) == _csv_bytes(local.records)
    assert remote.records.num_rows == RUNS
    # Four shard tasks, each run in one of the two worker processes.
    assert len(shards) == 4
    assert {t["worker"] for t in shards} <= workers
