"""attribute_share with unknown values (issue 11, item 5): an unknown weight or attribute is
not 0. Planted from the quotes:

* QD21-23 (seed 001 L63) 「其中负压救护车不少于40%」: negative-pressure vehicles / vehicles ≥ 40 %;
* SH21-08 (seed 003 L25) 「到2025年,全市护理型养老床位占比达到60%以上」: nursing beds / beds ≥ 60 %.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from siting import StudyArea
from siting.assess import LEVEL_AREA, assess
from siting.rules import load_rules

UTM = "EPSG:32651"


def area_of(kind: str, **columns) -> StudyArea:
    n = len(next(iter(columns.values())))
    d = gpd.GeoDataFrame({"district": ["A", "B"], "population": [1e5, 1e5]},
                         geometry=[shapely.box(0, 0, 10_000, 10_000),
                                   shapely.box(10_000, 0, 20_000, 10_000)], crs=UTM)
    fac = gpd.GeoDataFrame({"kind": [kind] * n, **columns},
                           geometry=[shapely.Point(1_000 + 6_000 * i, 5_000) for i in range(n)],
                           crs=UTM)
    return StudyArea(d, facilities=fac)


def city_row(area: StudyArea, rule_id: str) -> pd.Series:
    table = assess(area, load_rules([rule_id])).table
    return table[(table["rule_id"] == rule_id) & (table["level"] == LEVEL_AREA)].iloc[0]


def test_qd21_23_a_station_of_unknown_size_leaves_the_share_undecided():
    # 2 + 2 negative-pressure of 5 + 5 vehicles is 40 % (passes) — but a third station with
    # no negative-pressure vehicle and an unknown fleet can pull the share below 40 %
    known = area_of("emergency_station", vehicles=[5, 5],
                    negative_pressure_vehicles=[2, 2])
    assert bool(city_row(known, "QD21-23")["passed"]) is True
    unknown = area_of("emergency_station", vehicles=[5, 5, np.nan],
                      negative_pressure_vehicles=[2, 2, 0])
    row = city_row(unknown, "QD21-23")
    assert pd.isna(row["passed"]) and pd.isna(row["shortfall"])
    assert "1 facilities without a vehicles value" in row["note"]


@pytest.mark.parametrize("nursing, passed, shortfall", [
    ([70, 60], True, 0),           # 130 / 200 = 65 % ≥ 60 %
    ([70, np.nan], None, None),    # 35 % known; 85 % if the second home is all nursing beds
    ([10, np.nan], False, 10),     # at most (10 + 100) / 200 = 55 %: fails; 120 − 110 = 10 short
])
def test_sh21_08_unknown_nursing_beds_bound_the_share(nursing, passed, shortfall):
    area = area_of("nursing_home", beds=[100, 100], nursing_beds=nursing)
    row = city_row(area, "SH21-08")
    if passed is None:
        assert pd.isna(row["passed"]) and "could pass: undecided" in row["note"]
    else:
        assert bool(row["passed"]) is passed
        assert row["shortfall"] == pytest.approx(shortfall)
