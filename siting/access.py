"""Walking/driving access summaries: who lives within a distance or time of each facility kind.

Accessibility scores (2SFCA family, gravity, 3SFCA, potential) live in :mod:`siting.scores`
and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .scores import (Decay, Scores, accessibility, binary, exponential, fca_scores, gaussian,
                     kernel, power, steps)
from .study_area import StudyArea
from .units import parse_cutoff

__all__ = ["Decay", "Scores", "access_table", "accessibility", "binary", "exponential",
           "fca_scores", "gaussian", "kernel", "power", "steps"]


def access_table(area: StudyArea, kinds: Iterable[str] | None = None, mode: str = "walk",
                 thresholds: Iterable[str | float] = (300, 500, 1000)) -> pd.DataFrame:
    """Share of residents within each threshold of the nearest facility, per kind and district.

    Parameters
    ----------
    area
        The study area.
    kinds
        Facility kinds (default: every kind present).
    mode
        ``"walk"`` or ``"drive"``.
    thresholds
        Distances (numbers are metres) or times (``"15 min"``), all of one dimension.

    Returns
    -------
    DataFrame with one row per (kind, district) plus a row ``district="(all)"``: population,
    population within each threshold, share within each threshold, and unreachable population
    (cells beyond the snap distance of the network). Population = within-or-not + unreachable.
    """
    limits = [parse_cutoff(t, field="thresholds") for t in thresholds]
    by = "time" if limits and limits[0].dimension == "time" else "length"
    column = "time_min" if by == "time" else "distance_m"
    values = [q.to("min") if by == "time" else q.to("m") for q in limits]
    labels = [f"{v:g} min" if by == "time" else f"{v:g} m" for v in values]
    kinds = sorted(area.facilities["kind"].unique()) if kinds is None else list(kinds)
    rows = []
    for kind in kinds:
        nearest = area.nearest(kind, mode, by=by)
        cost = nearest[column].to_numpy()
        frame = pd.DataFrame({"district": nearest["district"], "population": nearest["population"],
                              "unreachable": np.where(nearest["status"] == "unsnapped",
                                                      nearest["population"], 0.0)})
        for label, value in zip(labels, values):
            frame[f"within {label}"] = np.where(cost <= value, nearest["population"], 0.0)
        summed = frame.groupby("district", sort=True).sum()
        summed.loc["(all)"] = summed.sum()
        for label in labels:
            summed[f"share {label}"] = summed[f"within {label}"] / summed["population"].where(
                summed["population"] > 0)
        summed.insert(0, "kind", kind)
        rows.append(summed.reset_index())
    table = pd.concat(rows, ignore_index=True)
    table.attrs.update(mode=mode, thresholds=labels)
    return table
