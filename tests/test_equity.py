"""Equity measures by brute force: Gini over all pairs, Theil from expanded populations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.assess import weighted_gini
from siting.equity import equity_table, gini, lorenz, lorenz_svg, theil
from siting.errors import SitingError


def _expanded(values, people):
    """Every resident as one entry: the unweighted formulas then apply."""
    return np.repeat(values, people)


def _theil_unweighted(x):
    r = x / x.mean()
    return float(np.mean(np.where(r > 0, r * np.log(np.where(r > 0, r, 1)), 0.0)))


@pytest.fixture
def sample():
    rng = np.random.default_rng(17)
    values = np.round(rng.gamma(2.0, 1.0, 60), 3)
    values[:4] = 0.0  # residents who reach nothing
    people = rng.integers(1, 9, 60)
    groups = rng.choice(["黄浦区", "静安区", "<b>x</b>"], 60)
    return values, people, groups


def test_gini_equals_all_pairs_and_assess(sample):
    values, people, _ = sample
    x = _expanded(values, people)
    pairs = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(values, people) == pytest.approx(pairs, rel=1e-12)
    assert gini(values, people) == pytest.approx(weighted_gini(values, people), rel=1e-12)
    assert gini(np.full(5, 2.0)) == 0.0
    assert gini([0.0, 0.0, 0.0, 1.0]) == pytest.approx(0.75)


def test_theil_decomposition_by_brute_force(sample):
    values, people, groups = sample
    t = theil(values, people, groups)
    x = _expanded(values, people)
    assert t.total == pytest.approx(_theil_unweighted(x), rel=1e-12)
    assert t.between + t.within == pytest.approx(t.total, rel=1e-12)
    # between: everyone given the mean of their group; within: Σ share × group Theil
    g = np.repeat(groups, people)
    means = pd.Series(x).groupby(g).transform("mean").to_numpy()
    assert t.between == pytest.approx(_theil_unweighted(means), rel=1e-12)
    within = sum(x[g == k].sum() / x.sum() * _theil_unweighted(x[g == k]) for k in set(g))
    assert t.within == pytest.approx(within, rel=1e-12)
    assert t.groups["share"].sum() == pytest.approx(1.0)


def test_equity_table_and_lorenz(sample):
    values, people, groups = sample
    e = equity_table(values, people, groups)
    assert e.table["group"].tolist()[-1] == "(study area)"
    assert e.table["population"].iloc[-1] == people.sum()
    whole = e.table.iloc[-1]
    assert whole["theil_between"] + whole["theil_within"] == pytest.approx(whole["theil"])
    for _, row in e.table.iloc[:-1].iterrows():
        mask = groups == row["group"]
        assert row["gini"] == pytest.approx(gini(values[mask], people[mask]))
    curve = e.lorenz
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (np.diff(curve["value_share"]) >= 0).all()
    # the area between the diagonal and the curve is half the Gini
    area = np.trapezoid(curve["value_share"], curve["population_share"])
    assert 1 - 2 * area == pytest.approx(gini(values, people), rel=1e-9)
    svg = e.svg(lang="en")
    assert svg.startswith("<svg") and "Lorenz curve" in svg
    svg = lorenz_svg({"<b>x</b>": lorenz(values, people)}, lang="zh")
    assert "<b>x</b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg and "累计人口比例" in svg


def test_bad_inputs_are_refused():
    with pytest.raises(SitingError, match="≥ 0"):
        gini([-1.0, 2.0])
    with pytest.raises(SitingError, match="weights"):
        gini([1.0, 2.0], [1.0])
    with pytest.raises(SitingError, match="lang"):
        lorenz_svg(lorenz([1.0, 2.0]), lang="fr")
    assert np.isnan(gini([np.nan], [1.0]))
