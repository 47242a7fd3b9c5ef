"""Batch runs: serial, local process pool and a Dask LocalCluster of 2 workers give the same
results; a district that fails on a worker is reported and the others finish."""

from __future__ import annotations

import pandas as pd
import pytest

from siting.batch import executor_for, run
from siting.datasets import load_example
from siting.report import ReportOptions, write_reports
from siting.report.batch import prepare_inputs
from siting.rules import AccessRule

RULES = [AccessRule(id="T-KG", facility="kindergarten", threshold="500 m", mode="walk",
                    share="85 %"),
         AccessRule(id="T-SPORT", facility="sports_ground", threshold="15 min", mode="walk")]
OPTIONS = ReportOptions(title="batch test", lang="en", tiles=None, maps=[], isochrones=None)


@pytest.fixture(scope="module")
def broken_inputs():
    area = load_example()
    cells = area.cells.drop(columns=["district"]).copy()
    victim = area.cells.index[area.cells["district"] == "B1"][0]
    cells.loc[victim, "population"] = -5.0  # broken on purpose: B1 must fail alone
    return prepare_inputs(area.districts, cells, area.facilities, area.networks, crs=area.crs)


@pytest.fixture(scope="module")
def serial(broken_inputs, tmp_path_factory):
    return write_reports(broken_inputs, RULES, tmp_path_factory.mktemp("serial"),
                         options=OPTIONS, progress=False)


def _check_same(result, serial):
    status = {o.district: o.status for o in result.outcomes}
    assert status == {o.district: o.status for o in serial.outcomes}
    assert status.pop("B1") == "error" and set(status.values()) == {"ok"}
    error = next(o.error for o in result.outcomes if o.district == "B1")
    assert "negative population" in error
    mine = pd.read_csv(result.files[0]).sort_values(["district", "rule_id"]).reset_index(drop=True)
    theirs = pd.read_csv(serial.files[0]).sort_values(["district", "rule_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, theirs)
    assert len(mine) == 2 * 8  # 8 good districts × 2 rules


def test_dask_local_cluster_of_two_workers_equals_serial(broken_inputs, serial, tmp_path):
    executor, close = executor_for(scheduler="local", workers=2)
    try:
        result = write_reports(broken_inputs, RULES, tmp_path, options=OPTIONS, progress=False,
                               executor=executor)
    finally:
        close()
    _check_same(result, serial)


def test_process_pool_equals_serial(broken_inputs, serial, tmp_path):
    executor, close = executor_for(workers=2)
    result = write_reports(broken_inputs, RULES, tmp_path, options=OPTIONS, progress=False,
                           executor=executor)
    close()
    _check_same(result, serial)


def test_run_with_a_client_from_a_config(tmp_path):
    from dask.distributed import Client, LocalCluster

    config = {"inputs": {"example": "town"}, "modes": ["walk"], "rules": ["GB50180-KG"],
              "outputs": {"dir": str(tmp_path / "out"), "tiles": None, "lang": "en"}}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        on_cluster = run(config, client, progress=False)
    serial = run(config, out=tmp_path / "serial", workers=1, progress=False)
    assert [o.status for o in on_cluster.outcomes] == ["ok"] * 9
    pd.testing.assert_frame_equal(on_cluster.summary, serial.summary)
