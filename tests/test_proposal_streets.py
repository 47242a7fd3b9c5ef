"""The nearest named street of each proposed site (issue 14: "the nearest street or address
where the data has one"), checked against every street by brute force."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

import siting
import siting.network as sn
from siting.cli import DEMO_RULES
from siting.config import rules_from_spec
from siting.datasets import load_example
from siting.report.proposal_table import site_table


@pytest.fixture(scope="module")
def area():
    return load_example()


def test_networks_keep_osm_street_names_aligned_with_their_streets(area):
    for network in area.networks.values():
        assert network.street_name is not None
        assert len(network.street_name) == len(network.street_geometry)
        named = [n for n in network.street_name if n is not None]
        assert len(named) > len(network.street_name) / 2 and "Hurukselantie" in named


def test_nearest_street_of_each_proposed_site_by_brute_force(area):
    rules = rules_from_spec(DEMO_RULES)
    proposal = siting.propose(area, rules, time_limit=10, infeasible="relax")
    table = site_table(proposal.sites, area, rules)
    walk = area.networks["walk"]
    points = proposal.sites.geometry.to_crs(walk.crs).representative_point().to_numpy()
    for point, name, metres in zip(points, table["nearest_street"], table["street_m"],
                                   strict=True):
        d = np.array([shapely.distance(point, g) if n is not None else np.inf
                      for g, n in zip(walk.street_geometry, walk.street_name, strict=True)])
        best = d.min()
        assert metres == pytest.approx(best, abs=0.06)
        assert name in {walk.street_name[i] for i in np.flatnonzero(d <= best + 1e-6)}


def test_lines_without_names_give_no_street(tmp_path):
    lines = gpd.GeoDataFrame(geometry=gpd.GeoSeries.from_wkt(
        ["LINESTRING (0 0, 100 0)", "LINESTRING (100 0, 100 100)"]), crs="EPSG:32651")
    assert sn.from_lines(lines, "walk").street_name is None
    named = lines.assign(name=["东大街", None])
    network = sn.from_lines(named, "walk")
    assert list(network.street_name) == ["东大街", None]
