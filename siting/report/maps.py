"""folium maps of access: cells coloured by travel to the nearest facility, facilities, districts."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
from branca.colormap import LinearColormap

from ..datasets import ATTRIBUTION
from ..study_area import StudyArea

FACILITY_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]


def coverage_map(area: StudyArea, nearest: pd.DataFrame, *, threshold: float,
                 title: str | None = None, tiles: str | None = "OpenStreetMap") -> folium.Map:
    """Cells coloured by distance (m) or time (min) to the nearest facility of one kind.

    Parameters
    ----------
    area
        The study area.
    nearest
        Output of :meth:`StudyArea.nearest`.
    threshold
        Cells beyond it are outlined in red as uncovered (same unit as the colouring).
    tiles
        Basemap; ``None`` draws no basemap (for offline pages).
    """
    by_time = nearest.attrs.get("by") == "time"
    column, unit = ("time_min", "min") if by_time else ("distance_m", "m")
    cells = area.cells[["population", "geometry"]].join(nearest[[column, "status"]]).to_crs(4326)
    finite = cells[column].replace(np.inf, np.nan)
    top = float(np.nanmax(finite)) if finite.notna().any() else threshold
    scale = LinearColormap(["#1a9850", "#fee08b", "#d73027"], vmin=0,
                           vmax=max(top, threshold), caption=f"{column.replace('_', ' ')} ({unit})")
    centre = cells.geometry.union_all().centroid
    fmap = folium.Map(location=[centre.y, centre.x], zoom_start=14, tiles=tiles,
                      attr=ATTRIBUTION if tiles else None, control_scale=True)
    folium.GeoJson(area.districts.to_crs(4326), name="districts",
                   style_function=lambda _: {"color": "#333333", "weight": 2, "fill": False},
                   tooltip=folium.GeoJsonTooltip(["district"])).add_to(fmap)

    def style(feature):
        value = feature["properties"][column]
        uncovered = value is None or not np.isfinite(value) or value > threshold
        return {"fillColor": "#999999" if value is None or not np.isfinite(value) else scale(value),
                "color": "#b2182b" if uncovered else "#ffffff", "weight": 1.5 if uncovered else 0.3,
                "fillOpacity": 0.65}

    shown = cells.assign(**{column: finite.round(1), "population": cells["population"].round(0)})
    folium.GeoJson(shown, name=f"cells by {column}", style_function=style,
                   tooltip=folium.GeoJsonTooltip(["population", column, "status"])).add_to(fmap)
    facilities = area.facilities.to_crs(4326)
    group = folium.FeatureGroup(name="facilities")
    for i, (kind, rows) in enumerate(facilities.groupby("kind")):
        for _, row in rows.iterrows():
            folium.CircleMarker([row.geometry.y, row.geometry.x], radius=6,
                                color=FACILITY_COLOURS[i % len(FACILITY_COLOURS)], fill=True,
                                fill_opacity=0.9,
                                popup=f"{kind}: {row.get('name') or ''}").add_to(group)
    group.add_to(fmap)
    scale.add_to(fmap)
    if title:
        fmap.get_root().html.add_child(folium.Element(
            f"<h4 style='position:absolute;top:8px;left:60px;z-index:9999;background:white;"
            f"padding:4px 8px'>{title}</h4>"))
    folium.LayerControl().add_to(fmap)
    return fmap
