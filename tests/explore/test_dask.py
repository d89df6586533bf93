"""The same sweep on a local Dask cluster gives the same rows as the process pool (skipped without Dask)."""

import pytest

from tutor import cli
from tutor.explore import explore, parse_sweep, rows_to_json

from .sweeps import TINY

distributed = pytest.importorskip("distributed")


def test_a_dask_cluster_gives_identical_rows():
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        on_dask = explore(parse_sweep(TINY), scheduler=cluster.scheduler_address)
    assert rows_to_json(on_dask) == rows_to_json(explore(parse_sweep(TINY), workers=1))


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("tutor.explore.runner.CONNECT_TIMEOUT_S", 1)
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    assert cli.main(["explore", str(path), "--scheduler", "tcp://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cannot reach the Dask scheduler at tcp://127.0.0.1:9") and err.count("\n") == 1
