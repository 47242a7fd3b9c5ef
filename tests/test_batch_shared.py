"""What districts of a batch share: a network kept whole is sent to Dask once and its node
search is run once per process; the results are those of a fresh search, district by district.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from siting.batch import with_whole_networks, without_whole_networks, executor_for
from siting.datasets import load_example
from siting.network.paths import NEAREST_CACHE_SIZE, nearest_sources
from siting.network.snap import snap_points
from siting.report import ReportOptions, write_reports
from siting.report.batch import BatchInputs, district_inputs
from siting.rules import AccessRule, ServiceRadiusRule

# the network-mean radius searches the walk network without a cutoff: every district keeps
# the whole walk network (siting.report.slices), the case shared between districts
RULES = [ServiceRadiusRule(id="T-RADIUS", facility="sports_ground", threshold="800 m",
                           mode="walk", decisive="network_mean"),
         AccessRule(id="T-KG", facility="kindergarten", threshold="500 m", mode="walk")]
OPTIONS = ReportOptions(title="shared", lang="en", tiles=None, maps=[], isochrones=None)


@pytest.fixture(scope="module")
def area():
    return load_example()


@pytest.fixture(scope="module")
def inputs(area):
    return BatchInputs.from_area(area)


def test_a_whole_network_leaves_the_slice_and_comes_back_in_order(inputs):
    part = district_inputs(inputs, inputs.names[0], RULES, OPTIONS)
    assert part.networks["walk"] is inputs.networks["walk"]  # kept whole, not cut
    lean, whole = without_whole_networks(part, inputs)
    assert whole == ["walk"] and "walk" not in lean.networks
    seen = {}

    def task(name, folder, given, rules, options):
        seen["networks"] = given.networks
        return name

    order = list(part.networks)
    assert with_whole_networks(task, "x", None, lean, {"walk": inputs.networks["walk"]},
                                order, RULES, OPTIONS) == "x"
    assert list(seen["networks"]) == order
    assert seen["networks"]["walk"] is inputs.networks["walk"]


def test_the_node_search_is_remembered_and_equals_a_fresh_one(area):
    network = area.network("walk")
    sources = snap_points(network, area.facilities_of("sports_ground").geometry.to_numpy(),
                          max_distance=area.snap_distance["walk"])
    cells = area.snapped("cells", "walk")
    first = nearest_sources(network, sources, cells, weight="length")
    cached = network.search_cache("nearest_sources")
    assert 1 <= len(cached) <= NEAREST_CACHE_SIZE
    again = nearest_sources(network, sources, cells, weight="length")
    fresh = nearest_sources(dataclasses.replace(network, _csr={}, _tree=None), sources, cells,
                            weight="length")
    for a, b, c in zip(first, again, fresh):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    # a different cutoff is another search, not the remembered one
    short = nearest_sources(network, sources, cells, weight="length", cutoff=300.0)
    assert np.isinf(short[0]).sum() > np.isinf(first[0]).sum()
    # the remembered arrays cannot be changed by a caller
    dist, _ = next(iter(cached.values()))
    with pytest.raises(ValueError):
        dist[0] = 0.0


def test_dask_with_a_shared_whole_network_equals_serial(inputs, tmp_path):
    serial = write_reports(inputs, RULES, tmp_path / "serial", options=OPTIONS, progress=False)
    executor, close = executor_for(scheduler="local", workers=2)
    try:
        dask = write_reports(inputs, RULES, tmp_path / "dask", options=OPTIONS, progress=False,
                             executor=executor)
    finally:
        close()
    assert {o.status for o in dask.outcomes} == {"ok"}

    def table(result):
        return pd.read_csv(result.files[0]).sort_values(["district", "rule_id"]).reset_index(
            drop=True)

    pd.testing.assert_frame_equal(table(dask), table(serial))
    radius = table(serial).query("rule_id == 'T-RADIUS' and district != '(study area)'")
    assert radius["reading"].notna().any()  # the network readings were computed
