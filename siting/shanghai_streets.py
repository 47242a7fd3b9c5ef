"""Two Shanghai districts on their own streets: the case studies of notebook 07.

* **People's Square (人民广场, 黄浦区)**: an OSM *drive* extract (no footways), so the walk
  network is derived from the streets (elevated 延安高架路 / 南北高架路 left out); no
  buildings, so the 2020 census total of each district is spread evenly over 100 m cells of
  the part the extract covers.
* **Bund–Lujiazui (外滩–陆家嘴)**: OSM road centrelines of both banks of the Huangpu (浦东新区,
  黄浦区, 虹口区), noded by level; the census spread over building floor area.

Both read the files of ``../shared/data`` (see its README) and the shipped district
boundaries; facilities are the Shanghai POIs (kindergartens, community health centres,
emergency centres) inside each extract. Every assumption is a named constant or parameter.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import SitingError
from .study_area import StudyArea

UTM51 = "EPSG:32651"
# Bounding boxes of the two extracts (WGS-84), from ../shared/data/README.md.
PEOPLES_SQUARE_BOX = (121.4611, 31.2196, 121.4863, 31.2412)
BUND_BOX = (121.4813, 31.2269, 121.5198, 31.2504)
BUND_DISTRICTS = ("浦东新区", "黄浦区", "虹口区")
# The building layer has no use tag. Named offices, banks, hotels, halls and pavilions are
# not homes, and nor is any footprint taller than 100 m unless its name says housing: the
# supertall towers of Lujiazui are offices and hotels. Change these to your own reading.
NON_HOME_NAMES = (r"大厦|中心|银行|酒店|饭店|宾馆|广场|商场|购物|市场|公司|集团|海关|局|馆|亭|轩|堂|"
                  r"卫生间|办公|Square|Plaza|Cent(?:er|re)|Tower|Hotel|Bank|Mall|IFC|BFC")
HOME_NAMES = r"公寓|里|弄|村|苑|小区|花园|邨|坊|住宅|Apartment|Residence"
MAX_HOME_HEIGHT_M = 100.0


def _box(bounds: tuple[float, float, float, float]) -> gpd.GeoSeries:
    return gpd.GeoSeries([shapely.box(*bounds)], crs=4326)


def _path(data: str | Path, *parts: str) -> Path:
    path = Path(data).joinpath(*parts)
    if not path.exists():
        raise SitingError("data", str(path), "the shared data file is missing",
                          "pass the folder that holds china/ (../shared/data)")
    return path


def census_districts(data: str | Path) -> gpd.GeoDataFrame:
    """Shanghai's 16 districts (shipped boundaries) with their 2020 census population."""
    from .china import load_district_boundaries

    districts = load_district_boundaries("shanghai")
    census = pd.read_csv(_path(data, "china", "county_population_2020.csv"),
                         dtype={"CODE": str})
    out = districts.merge(census[["CODE", "POPU"]], left_on="code", right_on="CODE")
    out["population"] = out["POPU"].astype(float)
    return gpd.GeoDataFrame(out[["name", "population", "geometry"]], geometry="geometry",
                            crs=districts.crs)


def facilities_in(data: str | Path, bounds: tuple[float, float, float, float]
                  ) -> gpd.GeoDataFrame:
    """Kindergartens, community health centres (社区卫生服务中心) and emergency centres (急救中心)
    of the Shanghai POI tables inside ``bounds`` (WGS-84, already converted by the source)."""
    frames = []
    kg = pd.read_csv(_path(data, "china", "shanghai_poi", "kindergarten.csv"))
    frames.append(kg.assign(kind="kindergarten"))
    health = pd.read_csv(_path(data, "china", "shanghai_poi", "shanghai_hospital.csv"))
    frames.append(health[health["name"].str.contains("社区卫生服务中心", na=False)]
                  .assign(kind="community_health_centre"))
    frames.append(health[health["type"].str.contains("急救中心", na=False)]
                  .assign(kind="emergency_station"))
    table = pd.concat(frames, ignore_index=True)
    points = gpd.GeoDataFrame(table[["kind", "name"]],
                              geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=4326)
    inside = shapely.contains_xy(shapely.box(*bounds), table["lon"], table["lat"])
    return points[inside].reset_index(drop=True)


def drop_islands(network, min_nodes: int = 50):
    """The network without pieces of fewer than ``min_nodes`` nodes (stubs cut by the
    extract's edge), keeping every large piece — both banks of a river with no walkable
    crossing, where ``largest_component=True`` would drop one bank whole."""
    from scipy.sparse import csgraph

    _, labels = csgraph.connected_components(network.scipy_matrix("length"), directed=True,
                                             connection="weak")
    big = np.bincount(labels) >= min_nodes
    keep = big[labels[network.street_u]] & big[labels[network.street_v]]
    return network.subset_streets(keep)


def peoples_square(data: str | Path, *, cell_size: float = 100.0,
                   networks: bool = True) -> StudyArea:
    """黄浦区 around People's Square: derived walk network, drive network, census cells.

    Parameters
    ----------
    data
        The ``../shared/data`` folder.
    cell_size
        Side of the census cells (m).
    networks
        ``False`` builds the same area without networks, for straight-line readings.

    Returns
    -------
    StudyArea whose districts are the parts of 黄浦区 and 静安区 inside the extract;
    ``area.population_method`` says how the residents were placed.
    """
    from . import network as sn
    from .population_buildings import census_over_area

    cells = census_over_area(census_districts(data), _box(PEOPLES_SQUARE_BOX), cell_size,
                             district_col="name", crs=UTM51)
    districts = cells.dissolve("name").reset_index()[["name", "geometry"]]
    nets = {}
    if networks:
        path = _path(data, "china", "shanghai_osm", "peoples_square_drive.osm")
        nets = {"walk": sn.from_osm_xml(path, "walk", crs=UTM51),
                "drive": sn.from_osm_xml(path, "drive", crs=UTM51)}
    area = StudyArea(districts, cells.drop(columns=["name"]),
                     facilities_in(data, PEOPLES_SQUARE_BOX), nets, district_col="name",
                     crs=UTM51)
    area.population_method = cells.attrs["method"]
    area.population_table = cells.attrs["districts"]
    return area


def bund_homes(buildings: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The footprints counted as homes (see :data:`NON_HOME_NAMES`, :data:`HOME_NAMES`,
    :data:`MAX_HOME_HEIGHT_M`); building parts are inside their buildings and left out."""
    whole = buildings[buildings["kind"] == "building"]
    name = whole["name"].astype("string").fillna("")
    homely = name.str.contains(HOME_NAMES, regex=True)
    office = name.str.contains(NON_HOME_NAMES, regex=True) & ~homely
    tall = (pd.to_numeric(whole["height"], errors="coerce") > MAX_HOME_HEIGHT_M) & ~homely
    return whole[~(office | tall).to_numpy()]


def bund_lujiazui(data: str | Path, *, networks: bool = True) -> StudyArea:
    """The Bund and Lujiazui on both banks: noded walk and drive networks, census over homes.

    Returns
    -------
    StudyArea of the parts of 浦东新区, 黄浦区 and 虹口区 inside the extract, one cell per home
    building; ``area.population_method`` and ``area.population_table`` say how.
    """
    from . import network as sn
    from .population_buildings import census_in_extent, census_over_buildings

    districts = census_districts(data)
    districts = districts[districts["name"].isin(BUND_DISTRICTS)]
    buildings = gpd.read_file(_path(data, "china", "shanghai_osm",
                                    "bund_lujiazui_buildings.gpkg"))
    homes = bund_homes(buildings)
    cells = census_over_buildings(districts, homes, district_col="name",
                                  extent=_box(BUND_BOX), crs=UTM51)
    parts = census_in_extent(districts, _box(BUND_BOX), district_col="name", crs=UTM51)
    nets = {}
    if networks:
        roads = gpd.read_file(_path(data, "china", "shanghai_osm", "bund_lujiazui_roads.gpkg"))
        walk = sn.from_lines(roads, "walk", highway_col="highway", split_at_crossings=True,
                             largest_component=False, crs=UTM51)
        drive = sn.from_lines(roads, "drive", highway_col="highway", split_at_crossings=True,
                              crs=UTM51)
        nets = {"walk": drop_islands(walk), "drive": drive}
    area = StudyArea(parts[["name", "geometry"]], cells[["population", "geometry"]],
                     facilities_in(data, BUND_BOX), nets, district_col="name", crs=UTM51)
    area.population_method = cells.attrs["method"]
    area.population_table = cells.attrs["districts"]
    return area


def population_balance(area: StudyArea, kind: str | list[str], mode: str,
                       cutoff: str) -> pd.Series:
    """Residents reached, beyond the cutoff and unsnapped (they add up to the residents)."""
    nearest = area.nearest(kind, mode, cutoff)
    out = nearest.groupby("status")["population"].sum().reindex(
        ["reached", "beyond_cutoff", "unsnapped"]).fillna(0.0)
    out["residents"] = area.population
    return out


def network_vs_straight(area: StudyArea, kind: str | list[str], mode: str,
                        metres: float, *, detour: float = 1.0) -> pd.DataFrame:
    """Residents within ``metres`` of a facility of ``kind``: along the ``mode`` streets and
    along straight lines (× ``detour``), per district and for all (``"(all)"``), with how many
    percentage points straight lines overstate the share.

    A walk of 15 minutes at 4 km/h is 1,000 m: time rules on foot compare at that length.
    """
    from .rules.base import straight_line_nearest
    from .units import parse_cutoff

    cutoff = parse_cutoff(f"{metres} m")
    net = area.nearest(kind, mode, cutoff, by="length")
    kinds = [kind] if isinstance(kind, str) else list(kind)
    line = straight_line_nearest(area, area.facilities_of(kinds), cutoff, detour=detour)
    frame = pd.DataFrame({
        "district": area.cells["district"].to_numpy(),
        "residents": area.cells["population"].to_numpy(float),
        "reached_network": np.where(net["status"] == "reached", net["population"], 0.0),
        "reached_straight": np.where(line["status"] == "reached", line["population"], 0.0),
        "unsnapped": np.where(net["status"] == "unsnapped", net["population"], 0.0),
    })
    table = frame.groupby("district").sum()
    table.loc["(all)"] = table.sum()
    table["share_network"] = table["reached_network"] / table["residents"]
    table["share_straight"] = table["reached_straight"] / table["residents"]
    table["overstated_pp"] = 100 * (table["share_straight"] - table["share_network"])
    return table.reset_index()


def across_the_river(area: StudyArea, kind: str, metres: float) -> gpd.GeoDataFrame:
    """Cells that straight lines put within ``metres`` of a ``kind`` facility but the walk
    network does not (``network_m`` > ``metres``, or no walk route at all), with both
    distances and the facility straight lines pointed to — on the Bund, across the river."""
    from .rules.base import straight_line_nearest
    from .units import parse_cutoff

    cutoff = parse_cutoff(f"{metres} m")
    line = straight_line_nearest(area, area.facilities_of(kind), cutoff)
    net = area.nearest(kind, "walk", None, by="length")
    wrong = (line["status"] == "reached").to_numpy() & ~(net["distance_m"] <= metres).to_numpy()
    cells = area.cells.loc[wrong, ["population", "district", "geometry"]].copy()
    cells["straight_m"] = line.loc[wrong, "distance_m"].to_numpy()
    cells["network_m"] = net.loc[wrong, "distance_m"].to_numpy()
    cells["facility"] = line.loc[wrong, "facility"].to_numpy()
    cells["facility_district"] = area.facilities.loc[cells["facility"], "district"].to_numpy()
    return cells
