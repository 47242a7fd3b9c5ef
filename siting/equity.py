"""Equity (均等化) of any score or reading: population-weighted Gini, Theil, Lorenz curves.

* :func:`gini` — G = Σᵢ Σⱼ wᵢ wⱼ |xᵢ − xⱼ| / (2 W² μ), in O(n log n) (sorted cumulative
  weights), so it runs on 100,000 cells as well as on a dozen districts.
* :func:`theil` — T = Σ (wᵢ / W)(xᵢ / μ) ln(xᵢ / μ), split exactly into a between-group part
  Σ_g (W_g / W)(μ_g / μ) ln(μ_g / μ) and a within-group part Σ_g s_g T_g, where
  s_g = W_g μ_g / (W μ) is the group's share of the total.
* :func:`lorenz` — cumulative shares of population and of the quantity, poorest first;
  :func:`lorenz_svg` draws one or more curves as an inline SVG (zh / en), which Jupyter shows.

Values must be ≥ 0 (supply per resident, attainment, shares). Weights are people. Any
reading works, e.g. the districts' attainment of one rule of an assessment::

    rows = result.table[result.table["rule_id"] == "SH16-19"]
    equity_table(rows["attainment"], rows["population"], rows["district"])
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import SitingError

STUDY_AREA = "(study area)"

LABELS = {
    "zh": {"title": "洛伦兹曲线", "x": "累计人口比例", "y": "累计供给比例", "equal": "完全均等",
           "gini": "基尼系数"},
    "en": {"title": "Lorenz curve", "x": "cumulative share of residents",
           "y": "cumulative share of supply", "equal": "perfect equality", "gini": "Gini"},
}
CURVE_COLOURS = ["#d73027", "#4575b4", "#1a9850", "#984ea3", "#ff7f00", "#a65628"]


def _clean(values: object, weights: object | None, field: str = "values"
           ) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(values, dtype=float).ravel()
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    if x.shape != w.shape:
        raise SitingError("weights", len(w), f"{len(w)} weights for {len(x)} values",
                          "give one weight (population) per value")
    if (w < 0).any() or np.isinf(w).any():
        raise SitingError("weights", w[(w < 0) | np.isinf(w)][:5].tolist(),
                          "weights must be finite and ≥ 0", "use population counts as weights")
    keep = np.isfinite(x) & (w > 0) & np.isfinite(w)
    x, w = x[keep], w[keep]
    if (x < 0).any():
        raise SitingError(field, x[x < 0][:5].tolist(), "Gini, Theil and Lorenz need values ≥ 0",
                          "measure a quantity that cannot be negative (supply per resident, "
                          "attainment)")
    return x, w


def gini(values: object, weights: object | None = None) -> float:
    """Population-weighted Gini coefficient (0: everyone equal; → 1: all in one place).

    NaN values and zero weights are left out; NaN when nothing is left. 0 when every value is 0.

    Examples
    --------
    >>> gini([0.0, 1.0], [1.0, 1.0])
    0.5
    >>> gini([1.0, 3.0], [3.0, 1.0])
    0.25
    """
    x, w = _clean(values, weights)
    if len(x) == 0:
        return float("nan")
    total, mean = w.sum(), float(np.average(x, weights=w))
    if mean == 0:
        return 0.0
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    before = np.cumsum(w) - w
    # Σᵢⱼ wᵢwⱼ|xᵢ − xⱼ| = 2 Σᵢ wᵢxᵢ (2 Fᵢ + wᵢ − W), Fᵢ the weight of smaller values
    pairs = 2.0 * float(np.sum(w * x * (2.0 * before + w - total)))
    return float(pairs / (2.0 * total ** 2 * mean))


@dataclass(frozen=True)
class Theil:
    """Theil index and its exact between / within decomposition.

    Attributes
    ----------
    total, between, within
        ``total == between + within`` (to rounding).
    groups
        Per group: ``population``, ``mean``, ``theil`` (within the group), ``share`` (of the
        total quantity) and ``contribution`` (share × theil, the group's part of ``within``).
    """

    total: float
    between: float
    within: float
    groups: pd.DataFrame

    @property
    def between_share(self) -> float:
        """Share of the inequality that lies between groups."""
        return self.between / self.total if self.total > 0 else float("nan")


def _theil_of(x: np.ndarray, w: np.ndarray) -> float:
    if len(x) == 0:
        return float("nan")
    mean = float(np.average(x, weights=w))
    if mean == 0:
        return 0.0
    r = x / mean
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(r), 0.0)  # 0 ln 0 = 0
    return float(np.sum(w * terms) / w.sum())


def theil(values: object, weights: object | None = None, groups: object | None = None
          ) -> Theil:
    """Population-weighted Theil T index, decomposed into between and within ``groups``.

    Parameters
    ----------
    values
        Scores or readings (≥ 0).
    weights
        Population per value (default 1 each).
    groups
        Group label per value (district); ``None`` puts everything in one group.

    Examples
    --------
    >>> t = theil([1.0, 1.0, 3.0, 3.0], groups=["a", "a", "b", "b"])
    >>> round(t.total, 6) == round(t.between, 6), t.within
    (True, 0.0)
    """
    x = np.asarray(values, dtype=float).ravel()
    labels = np.full(len(x), STUDY_AREA, dtype=object) if groups is None else \
        np.asarray(groups, dtype=object).ravel()
    if len(labels) != len(x):
        raise SitingError("groups", len(labels), f"{len(labels)} group labels for {len(x)} "
                          "values", "give one group label (district) per value")
    w_all = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float).ravel()
    _clean(x, w_all)  # validates
    keep = np.isfinite(x) & (w_all > 0)
    x, w, labels = x[keep], w_all[keep], labels[keep]
    total = _theil_of(x, w)
    grand_weight = w.sum()
    grand_mean = float(np.average(x, weights=w)) if len(x) else float("nan")
    rows = []
    between = within = 0.0
    for label in pd.unique(labels):
        mask = labels == label
        wg, xg = w[mask], x[mask]
        mean = float(np.average(xg, weights=wg))
        t_g = _theil_of(xg, wg)
        share = (wg.sum() * mean) / (grand_weight * grand_mean) if grand_mean > 0 else 0.0
        if mean > 0 and grand_mean > 0:
            between += wg.sum() / grand_weight * (mean / grand_mean) * np.log(mean / grand_mean)
        within += share * t_g
        rows.append({"group": label, "population": float(wg.sum()), "mean": mean,
                     "theil": t_g, "share": share, "contribution": share * t_g})
    table = pd.DataFrame(rows, columns=["group", "population", "mean", "theil", "share",
                                        "contribution"])
    return Theil(total=total, between=float(between), within=float(within), groups=table)


def lorenz(values: object, weights: object | None = None) -> pd.DataFrame:
    """Lorenz curve data: ``population_share`` and ``value_share``, from (0, 0) to (1, 1).

    Residents are ordered from the lowest value up; each point is after one more value.

    Examples
    --------
    >>> lorenz([3.0, 1.0], [1.0, 1.0])["value_share"].tolist()
    [0.0, 0.25, 1.0]
    """
    x, w = _clean(values, weights)
    order = np.argsort(x, kind="stable")
    x, w = x[order], w[order]
    people = np.concatenate([[0.0], np.cumsum(w)])
    amount = np.concatenate([[0.0], np.cumsum(w * x)])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({"population_share": people / people[-1] if people[-1] > 0 else people,
                            "value_share": amount / amount[-1] if amount[-1] > 0 else amount})
    return out


@dataclass(frozen=True)
class Equity:
    """Equity of one quantity over residents: per group and for the whole study area.

    Attributes
    ----------
    table
        One row per group and a last row ``"(study area)"``: ``population``, ``mean``
        (population-weighted), ``gini``, ``theil``; the study-area row also carries
        ``theil_between`` and ``theil_within``.
    theil
        The :class:`Theil` decomposition over the groups.
    lorenz
        Lorenz data of the study area (:func:`lorenz`).
    """

    table: pd.DataFrame
    theil: Theil
    lorenz: pd.DataFrame

    def svg(self, lang: str = "zh", title: str | None = None) -> str:
        """The study area's Lorenz curve as an inline SVG."""
        gini_value = float(self.table["gini"].iloc[-1])
        return lorenz_svg({STUDY_AREA: self.lorenz}, lang=lang, title=title,
                          ginis={STUDY_AREA: gini_value})

    def _repr_svg_(self) -> str:
        return self.svg()


def equity_table(values: object, weights: object | None = None, groups: object | None = None
                 ) -> Equity:
    """Gini, Theil (with its between / within-group decomposition) and Lorenz data.

    Parameters
    ----------
    values
        The score or reading per cell or district (≥ 0); NaN entries are left out.
    weights
        Population per entry.
    groups
        District (or any group) per entry; ``None``: the study area only.

    Returns
    -------
    Equity

    Examples
    --------
    >>> e = equity_table([1.0, 2.0, 4.0, 4.0], [1, 1, 1, 1], ["a", "a", "b", "b"])
    >>> e.table["group"].tolist()
    ['a', 'b', '(study area)']
    """
    x = pd.Series(np.asarray(values, dtype=float).ravel())
    w = pd.Series(np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float).ravel())
    g = pd.Series(np.full(len(x), STUDY_AREA, dtype=object) if groups is None else
                  np.asarray(groups, dtype=object).ravel())
    decomposition = theil(x, w, g)
    rows = []
    for label in sorted(pd.unique(g), key=str) if groups is not None else []:
        mask = (g == label).to_numpy()
        xg, wg = _clean(x[mask], w[mask])
        rows.append({"group": label, "population": float(wg.sum()),
                     "mean": float(np.average(xg, weights=wg)) if wg.sum() > 0 else np.nan,
                     "gini": gini(xg, wg), "theil": _theil_of(xg, wg)})
    xa, wa = _clean(x, w)
    rows.append({"group": STUDY_AREA, "population": float(wa.sum()),
                 "mean": float(np.average(xa, weights=wa)) if wa.sum() > 0 else np.nan,
                 "gini": gini(xa, wa), "theil": decomposition.total,
                 "theil_between": decomposition.between, "theil_within": decomposition.within})
    return Equity(table=pd.DataFrame(rows), theil=decomposition, lorenz=lorenz(xa, wa))


def lorenz_svg(curves: Mapping[str, pd.DataFrame] | pd.DataFrame, *, lang: str = "zh",
               title: str | None = None, ginis: Mapping[str, float] | None = None,
               size: int = 360) -> str:
    """One or more Lorenz curves as an SVG string, with the line of perfect equality.

    Parameters
    ----------
    curves
        ``{label: lorenz(...)}`` or one :func:`lorenz` frame.
    lang
        ``"zh"`` or ``"en"`` for the axis titles.
    ginis
        Gini per label, shown in the legend.

    Every label is escaped: district names come from data.
    """
    if lang not in LABELS:
        raise SitingError("lang", lang, "unknown language", "use 'zh' or 'en'")
    lab = LABELS[lang]
    if isinstance(curves, pd.DataFrame):
        curves = {STUDY_AREA: curves}
    pad, plot = 48, size - 64
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 150}" height="{size}" '
           f'font-family="Noto Sans CJK SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif" '
           f'font-size="11">']
    out.append(f'<text x="{pad}" y="14" font-size="13">{html.escape(title or lab["title"])}</text>')
    x0, y0 = pad, 24 + plot
    out.append(f'<rect x="{x0}" y="24" width="{plot}" height="{plot}" fill="none" stroke="#999"/>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0 + plot}" y2="24" stroke="#999" '
               f'stroke-dasharray="4 3"/>')
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(f'<text x="{x0 + tick * plot:.1f}" y="{y0 + 14}" text-anchor="middle">'
                   f'{tick:.0%}</text>')
        out.append(f'<text x="{x0 - 4}" y="{y0 - tick * plot + 4:.1f}" text-anchor="end">'
                   f'{tick:.0%}</text>')
    out.append(f'<text x="{x0 + plot / 2}" y="{size - 4}" text-anchor="middle">'
               f'{html.escape(lab["x"])}</text>')
    out.append(f'<text transform="translate(12,{24 + plot / 2}) rotate(-90)" '
               f'text-anchor="middle">{html.escape(lab["y"])}</text>')
    legend_y = 40
    out.append(f'<line x1="{x0 + plot + 12}" y1="{legend_y - 4}" x2="{x0 + plot + 30}" '
               f'y2="{legend_y - 4}" stroke="#999" stroke-dasharray="4 3"/>'
               f'<text x="{x0 + plot + 34}" y="{legend_y}">{html.escape(lab["equal"])}</text>')
    for k, (label, data) in enumerate(curves.items()):
        colour = CURVE_COLOURS[k % len(CURVE_COLOURS)]
        px = x0 + data["population_share"].to_numpy(dtype=float) * plot
        py = y0 - data["value_share"].to_numpy(dtype=float) * plot
        if len(px) > 2000:  # a page, not a data dump: thin the curve evenly
            pick = np.unique(np.linspace(0, len(px) - 1, 2000).round().astype(int))
            px, py = px[pick], py[pick]
        points = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(px, py))
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                   f'stroke-width="2"/>')
        legend_y += 16
        text = str(label)
        if ginis and label in ginis and np.isfinite(ginis[label]):
            text += f" ({lab['gini']} {ginis[label]:.3f})"
        out.append(f'<line x1="{x0 + plot + 12}" y1="{legend_y - 4}" x2="{x0 + plot + 30}" '
                   f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2"/>'
                   f'<text x="{x0 + plot + 34}" y="{legend_y}">{html.escape(text)}</text>')
    out.append("</svg>")
    return "".join(out)


__all__ = ["Equity", "LABELS", "STUDY_AREA", "Theil", "equity_table", "gini", "lorenz",
           "lorenz_svg", "theil"]
