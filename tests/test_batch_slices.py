"""District slices on the embedded example town: cut networks keep their streets' order and
distances, networks travel without their caches, points snap as on the whole network,
and what cannot be bounded is sent whole."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

import numpy as np
import pytest
import shapely

from siting.network.paths import reach_matrix
from siting.network.snap import snap_points
from siting.report import ReportOptions, proposals_by_propose
from siting.report.batch import BatchInputs
from siting.rules import AccessRule

RULES = [AccessRule(id="T-KG", facility="kindergarten", threshold="300 m", mode="walk")]
OPTIONS = ReportOptions(title="slices", lang="en", tiles=None, maps=None, isochrones=None)


@pytest.fixture(scope="module")
def inputs(example):
    return BatchInputs.from_area(example)


def test_subset_streets_keeps_order_and_distances_inside(example):
    walk = example.networks["walk"]
    x0, y0, x1, y1 = shapely.total_bounds(walk.street_geometry)
    box = shapely.box(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    keep = shapely.intersects(walk.street_geometry, box)
    part = walk.subset_streets(keep)
    assert 0 < part.n_nodes < walk.n_nodes and len(part.street_u) == int(keep.sum())
    kept = np.flatnonzero(keep)
    assert all(a.equals(b) for a, b in zip(part.street_geometry, walk.street_geometry[kept]))
    np.testing.assert_array_equal(part.node_id[part.street_u], walk.node_id[walk.street_u[kept]])
    np.testing.assert_array_equal(part.edge_length[part.street_fwd],
                                  walk.edge_length[walk.street_fwd[kept]])
    # searches that stay well inside the kept streets find the same costs
    centre = shapely.centroid(shapely.box(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2))
    points = np.array([shapely.Point(centre.x + dx, centre.y + dy)
                       for dx in (-100, 0, 100) for dy in (-100, 0, 100)])
    a = reach_matrix(walk, snap_points(walk, points, 500), snap_points(walk, points, 500),
                     cutoff=200.0)
    b = reach_matrix(part, snap_points(part, points, 500), snap_points(part, points, 500),
                     cutoff=200.0)
    assert a.n_pairs > len(points)
    np.testing.assert_array_equal(a.matrix().toarray(), b.matrix().toarray())


def test_networks_travel_without_their_caches(example):
    walk = example.networks["walk"]
    walk.street_tree()
    walk.csr("length")
    copy = pickle.loads(pickle.dumps(walk))
    assert copy._tree is None and copy._csr == {}
    assert walk._tree is not None and walk._csr  # the original keeps them
    np.testing.assert_array_equal(copy.csr("length")[2], walk.csr("length")[2])


def test_points_at_junctions_snap_to_the_same_street_on_any_cut(example):
    """A point on a junction is equally near every street meeting there: the lowest-numbered
    wins, on the whole network and on a cut copy (whose spatial index differs)."""
    walk = example.networks["walk"]
    ends = np.concatenate([walk.street_u, walk.street_v])
    streets = np.concatenate([np.arange(len(walk.street_u))] * 2)
    degree = np.bincount(ends, minlength=walk.n_nodes)
    junctions = np.flatnonzero(degree >= 3)[:40]
    points = shapely.points(walk.x[junctions], walk.y[junctions])
    whole = snap_points(walk, points, 500)
    lowest = [streets[ends == j].min() for j in junctions]
    np.testing.assert_array_equal(whole.street, lowest)
    # drop every third street not at these junctions: a different tree, the same answers
    keep = np.ones(len(walk.street_u), bool)
    keep[::3] = False
    keep[streets[np.isin(ends, junctions)]] = True
    cut = walk.subset_streets(keep)
    on_cut = snap_points(cut, points, 500)
    np.testing.assert_array_equal(np.flatnonzero(keep)[on_cut.street], whole.street)
    np.testing.assert_array_equal(on_cut.offset, whole.offset)


def _my_proposals(area, assessment):
    return None


@dataclass(kw_only=True, eq=False, repr=False)
class _MyAccessRule(AccessRule):
    """A rule class of the user's own that does not say what it reads: it may read anything."""

    def reaches(self):
        return None


@pytest.mark.parametrize("case", ["own proposals", "own rule class"])
def test_what_may_read_anything_gets_the_whole_inputs(inputs, case):
    rules, options = RULES, OPTIONS
    if case == "own proposals":
        options = ReportOptions(title="slices", lang="en", tiles=None, proposals=_my_proposals)
    else:
        rules = [_MyAccessRule(id="T-MINE", facility="kindergarten", threshold="300 m")]
    part = inputs.slice_for("A1", rules, options)
    assert part.networks == inputs.networks and part.facility_ids is None
    assert len(part.districts) == len(inputs.districts)
    assert len(part.facilities) == len(inputs.facilities)


def test_slices_keep_every_mode_and_one_facility_of_each_kind(inputs):
    """A mode no rule uses stays (notes list the modes a study area has), cut to the snap
    distance; every kind stays present (errors list the kinds), wherever it lies."""
    part = inputs.slice_for("A1", RULES, OPTIONS)
    assert set(part.networks) == set(inputs.networks)
    assert set(part.facilities["kind"]) == set(inputs.facilities["kind"])
    np.testing.assert_array_equal(part.facilities.index, part.facility_ids)
    area = part.area_for("A1")
    assert list(area.facilities.index) == list(part.facility_ids)
    assert area.facilities.index.name == "facility"


def test_proposals_by_propose_are_sliced(inputs):
    options = ReportOptions(title="slices", lang="en", tiles=None,
                            proposals=proposals_by_propose(time_limit=5))
    part = inputs.slice_for("B2", RULES, options)
    assert part.names == ["B2"] and part.facility_ids is not None
    cells = part.cells.geometry.representative_point().to_numpy()
    # the cells (candidate sites among them) attach where the whole network attaches them
    whole = snap_points(inputs.networks["walk"], cells, 500)
    got = part.area_for("B2").snapped("cells", "walk")
    np.testing.assert_array_equal(got.ok, whole.ok)
    np.testing.assert_array_equal(got.offset, whole.offset)
    np.testing.assert_array_equal(got.distance, whole.distance)
    streets = part.networks["walk"].street_geometry[got.street[got.ok]]
    assert all(a.equals(b) for a, b in zip(
        streets, inputs.networks["walk"].street_geometry[whole.street[whole.ok]]))


def test_a_slice_that_cannot_be_made_warns_and_sends_the_whole_inputs(inputs):
    from siting.report.batch import district_inputs

    import dataclasses

    # facilities without their kind: the slice cannot choose them, the task will say why
    broken = dataclasses.replace(inputs, facilities=inputs.facilities.drop(columns="kind"),
                                 _hashes={})
    with pytest.warns(UserWarning, match="'A1'.*KeyError.*whole inputs"):
        part = district_inputs(broken, "A1", RULES, OPTIONS)
    assert part.networks == broken.networks and part.facility_ids is None
    assert len(part.districts) == len(broken.districts)
