"""Population cells: every path preserves totals and refuses bad input with a clear error."""

from __future__ import annotations

import numpy as np
import pandas as pd
import geopandas as gpd
import pytest
import shapely

from conftest import shared_path
from siting.errors import CRSError, GeometryError, PopulationError, SitingError
from siting.population import (
    AGE_GROUPS,
    QINGDAO_FLOOR_AREA_PER_PERSON_M2,
    add_age_bases,
    age_group_shares,
    areal_interpolate,
    cells_from_raster,
    cells_from_vector,
    disaggregate,
    h3_cells,
    new_residents,
    points_to_grid,
    population_from_buildings,
    population_to_h3,
    square_grid,
)

rasterio = pytest.importorskip("rasterio")
from rasterio.enums import MergeAlg  # noqa: E402
from rasterio.features import rasterize  # noqa: E402
from rasterio.transform import from_origin  # noqa: E402

AEA = "+proj=aea +lat_0=36 +lat_1=24 +lat_2=48 +lon_0=104.5 +datum=WGS84 +units=m"
HELSINKI_TOTAL = 71_724
SAO_PAULO_TOTAL = 517_570
SHANGHAI_TOTAL = 24_870_895


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def helsinki_grid() -> gpd.GeoDataFrame:
    grid = gpd.read_file(shared_path("helsinki", "helsinki_population_grid_2020.gpkg"))
    # the grid was made in ETRS-GK25 (EPSG:3879), where its cells are 250 m squares
    return grid.to_crs(3879)


def _write_raster(path, grid: gpd.GeoDataFrame, nodata: float = -1.0) -> object:
    """Rasterise the real 250 m grid: one pixel per grid cell, nodata where there is none."""
    x0, y0, x1, y1 = grid.total_bounds
    transform = from_origin(x0, y1, 250.0, 250.0)
    width, height = int(np.ceil((x1 - x0) / 250.0)), int(np.ceil((y1 - y0) / 250.0))
    centres = grid.geometry.centroid
    values = rasterize(zip(centres, grid["population"]), out_shape=(height, width),
                       transform=transform, fill=0, merge_alg=MergeAlg.add, dtype="float32")
    present = rasterize(((c, 1) for c in centres), out_shape=(height, width),
                        transform=transform, fill=0, dtype="uint8")
    data = np.where(present > 0, values, nodata).astype("float32")
    with rasterio.open(path, "w", driver="GTiff", height=height, width=width, count=1,
                       dtype="float32", crs="EPSG:3879", transform=transform,
                       nodata=nodata) as dst:
        dst.write(data, 1)
    return transform


@pytest.fixture(scope="module")
def helsinki_tif(tmp_path_factory, helsinki_grid):
    path = tmp_path_factory.mktemp("raster") / "helsinki_pop.tif"
    _write_raster(path, helsinki_grid)
    return path


@pytest.fixture(scope="module")
def shanghai_districts() -> gpd.GeoDataFrame:
    counties = gpd.read_file(shared_path("china", "counties-geo.topojson"), layer="county")
    counties = counties.set_crs(AEA).to_crs(4326)
    census = pd.read_csv(shared_path("china", "county_population_2020.csv"), encoding="utf-8-sig")
    shanghai = counties[counties["CODE"].astype(str).str.startswith("31")][["CODE", "geometry"]]
    shanghai = shanghai.merge(census[["CODE", "NAME", "POPU"]], on="CODE")
    return shanghai.rename(columns={"CODE": "district", "POPU": "population"})


@pytest.fixture(scope="module")
def sao_paulo() -> gpd.GeoDataFrame:
    return gpd.read_file(shared_path("sao_paulo", "spo_hexgrid_EPSG32723.gpkg"))


@pytest.fixture(scope="module")
def osm_buildings() -> gpd.GeoDataFrame:
    pyrosm = pytest.importorskip("pyrosm")
    return pyrosm.OSM(pyrosm.get_data("test_pbf")).get_buildings()


# -- rasters ------------------------------------------------------------------------------------

def test_raster_cells_keep_every_person(helsinki_tif, helsinki_grid):
    cells = cells_from_raster(helsinki_tif)
    assert len(cells) == len(helsinki_grid) == 92
    assert cells["population"].sum() == HELSINKI_TOTAL
    assert cells.attrs["population_in"] == cells.attrs["population_out"] == HELSINKI_TOTAL
    assert cells.attrs["population_outside"] == 0
    assert cells.crs.is_projected and "GK25" in cells.crs.name
    # pixel polygons are the 250 m squares of the grid, in the right place
    assert np.allclose(cells.geometry.area, 250.0 * 250.0)
    centres = helsinki_grid.geometry.centroid.to_crs(cells.crs)
    joined = gpd.sjoin(helsinki_grid.set_geometry(centres),
                       cells[["population", "geometry"]], predicate="within")
    assert (joined["population_left"] == joined["population_right"]).all()


def test_raster_all_pixels_adds_empty_pixels_but_never_nodata(helsinki_tif):
    some = cells_from_raster(helsinki_tif)
    every = cells_from_raster(helsinki_tif, all_pixels=True)
    with rasterio.open(helsinki_tif) as src:
        valid = int((src.read(1) != src.nodata).sum())
    assert len(every) == valid >= len(some)
    assert every["population"].sum() == HELSINKI_TOTAL


def test_raster_clip_weights_cut_pixels_by_area_share(helsinki_tif, helsinki_grid):
    centre = helsinki_grid.union_all().centroid
    boundary = gpd.GeoDataFrame(geometry=[centre.buffer(900)], crs=3879).to_crs(4326)
    cells = cells_from_raster(helsinki_tif, boundary=boundary)
    kept, outside = cells.attrs["population_out"], cells.attrs["population_outside"]
    # conservation: what was read = kept + cut off
    assert kept + outside == pytest.approx(cells.attrs["population_in"], abs=1e-6)
    assert 0 < cells["share"].min() < 1 and cells["share"].max() == 1
    # independent: overlay the real grid cells with the circle and weight by area share
    grid = helsinki_grid.assign(cell_area=helsinki_grid.area)
    pieces = gpd.overlay(grid, boundary.to_crs(3879), how="intersection")
    expected = float((pieces["population"] * pieces.area / pieces["cell_area"]).sum())
    # the pixels are the grid's cells to within a metre, so this agrees to 0.1 %
    assert kept == pytest.approx(expected, rel=1e-3)
    # and exactly with the pixel squares themselves
    pixels = cells_from_raster(helsinki_tif)
    cut = gpd.overlay(pixels[["pixel_population", "geometry"]].assign(a=pixels.area),
                      boundary.to_crs(pixels.crs), how="intersection")
    assert kept == pytest.approx(float((cut["pixel_population"] * cut.area / cut["a"]).sum()),
                                 rel=1e-9)


@pytest.mark.filterwarnings("ignore:Geometry is in a geographic CRS")
def test_raster_in_geographic_crs(tmp_path, helsinki_grid):
    # WorldPop rasters are in EPSG:4326: cut-pixel shares must still come out in metres
    wgs = helsinki_grid.to_crs(4326)
    centres = helsinki_grid.geometry.centroid.to_crs(4326)
    x0, y0, x1, y1 = wgs.total_bounds
    res = 0.004
    transform = from_origin(x0, y1, res, res)
    w, h = int(np.ceil((x1 - x0) / res)), int(np.ceil((y1 - y0) / res))
    data = rasterize(zip(centres, wgs["population"]), out_shape=(h, w),
                     transform=transform, fill=0, merge_alg=MergeAlg.add, dtype="float32")
    path = tmp_path / "wgs.tif"
    with rasterio.open(path, "w", driver="GTiff", height=h, width=w, count=1, dtype="float32",
                       crs="EPSG:4326", transform=transform) as dst:
        dst.write(data, 1)
    assert cells_from_raster(path)["population"].sum() == HELSINKI_TOTAL
    half = shapely.box(x0, y0, (x0 + x1) / 2, y1)
    cells = cells_from_raster(path, boundary=gpd.GeoSeries([half], crs=4326), to_crs=3879)
    assert cells.crs.to_epsg() == 3879
    assert cells.attrs["population_out"] + cells.attrs["population_outside"] == pytest.approx(
        cells.attrs["population_in"], abs=1e-6)
    # independent: cut the pixel squares by the half box in degrees (a pixel is uniform
    # in area to 1e-4 here, so degree and metre shares agree closely)
    pixels = cells_from_raster(path)
    cut = gpd.overlay(pixels[["pixel_population", "geometry"]].assign(a=pixels.area),
                      gpd.GeoDataFrame(geometry=[half], crs=4326), how="intersection")
    expected = float((cut["pixel_population"] * cut.area / cut["a"]).sum())
    assert cells["population"].sum() == pytest.approx(expected, rel=1e-3)


def test_raster_without_crs_is_refused(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", height=2, width=2, count=1,
                       dtype="float32", transform=from_origin(0, 2, 1, 1)) as dst:
        dst.write(np.ones((2, 2), dtype="float32"), 1)
    with pytest.raises(CRSError, match="nocrs.tif band 1.crs.*no coordinate reference"):
        cells_from_raster(path)
    cells = cells_from_raster(path, crs="EPSG:32650")
    assert cells["population"].sum() == 4


def test_raster_all_nodata_and_negative_counts_name_the_band(tmp_path):
    path = tmp_path / "empty.tif"
    with rasterio.open(path, "w", driver="GTiff", height=3, width=3, count=2, dtype="float32",
                       crs="EPSG:32650", transform=from_origin(0, 3, 1, 1), nodata=-9) as dst:
        dst.write(np.full((3, 3), -9, dtype="float32"), 1)
        band2 = np.ones((3, 3), dtype="float32")
        band2[1, 2] = -5
        dst.write(band2, 2)
    with pytest.raises(PopulationError, match="empty.tif band 1.*every pixel read is nodata"):
        cells_from_raster(path)
    with pytest.raises(PopulationError, match=r"empty.tif band 2.*\(1, 2\): -5.0.*1 pixels hold"):
        cells_from_raster(path, band=2)
    # declaring -5 as nodata makes it usable
    assert cells_from_raster(path, band=2, nodata=-5)["population"].sum() == 8
    with pytest.raises(SitingError, match="band=3"):
        cells_from_raster(path, band=3)


def test_raster_boundary_elsewhere_is_refused(helsinki_tif):
    far = gpd.GeoSeries([shapely.box(121.0, 31.0, 121.1, 31.1)], crs=4326)
    with pytest.raises(GeometryError, match="does not overlap"):
        cells_from_raster(helsinki_tif, boundary=far)


# -- vector grids and points --------------------------------------------------------------------

def test_vector_grid_and_bases(helsinki_grid):
    cells = cells_from_vector(helsinki_grid.assign(elderly=helsinki_grid["population"] * 0.2),
                              bases=["elderly"])
    assert cells["population"].sum() == HELSINKI_TOTAL
    assert cells["elderly"].sum() == pytest.approx(HELSINKI_TOTAL * 0.2)
    bad = helsinki_grid.copy()
    bad.loc[bad.index[3], "population"] = -7
    with pytest.raises(PopulationError, match=r"cells.population=\{3: -7(\.0)?\}.*negative"):
        cells_from_vector(bad)
    with pytest.raises(PopulationError, match="no such column"):
        cells_from_vector(helsinki_grid, "residents")


def test_points_to_grid_preserves_the_total(sao_paulo):
    points = sao_paulo.set_geometry(sao_paulo.geometry.centroid)
    grid = points_to_grid(points, 1000.0, bases=["jobs"])
    assert grid["population"].sum() == SAO_PAULO_TOTAL
    assert grid["jobs"].sum() == sao_paulo["jobs"].sum()
    assert grid["points"].sum() == len(sao_paulo)
    # each point lies in the cell it was counted in
    joined = gpd.sjoin(points, grid[["geometry"]], predicate="within")
    assert joined.index.is_unique and len(joined) == len(points)


def test_square_grid_covers_the_boundary(shanghai_districts):
    huangpu = shanghai_districts[shanghai_districts["NAME"] == "黄浦区"]
    grid = square_grid(huangpu, 500)
    assert np.allclose(grid.area, 500 * 500)
    assert grid.union_all().covers(huangpu.to_crs(grid.crs).union_all())


# -- H3 -----------------------------------------------------------------------------------------

def test_h3_hexagons_from_polygons_reproduce_sao_paulo(sao_paulo):
    assert sao_paulo["population"].sum() == SAO_PAULO_TOTAL and len(sao_paulo) == 323
    hexes = population_to_h3(sao_paulo, 9, bases=["jobs"])
    assert hexes["population"].sum() == pytest.approx(SAO_PAULO_TOTAL, abs=1e-6)
    assert hexes["jobs"].sum() == pytest.approx(sao_paulo["jobs"].sum(), abs=1e-6)
    # the source hexagons are themselves H3 resolution 9: each comes back whole
    by_id = hexes.set_index("h3")["population"].reindex(sao_paulo["id"])
    assert np.allclose(by_id.to_numpy(), sao_paulo["population"].to_numpy(), atol=1e-3)
    assert hexes.attrs["min_coverage"] > 0.9999


def test_h3_coarser_resolution_and_points(sao_paulo):
    coarse = population_to_h3(sao_paulo, 8)
    assert coarse["population"].sum() == pytest.approx(SAO_PAULO_TOTAL, abs=1e-6)
    assert len(coarse) < len(sao_paulo)
    points = sao_paulo.set_geometry(sao_paulo.geometry.centroid)
    hexes = population_to_h3(points, 9)
    assert hexes["population"].sum() == SAO_PAULO_TOTAL
    assert set(hexes["h3"]) == set(sao_paulo["id"])
    whole = population_to_h3(sao_paulo, 8, method="centroid")
    assert whole["population"].sum() == SAO_PAULO_TOTAL


def test_h3_cells_from_a_polygon(sao_paulo):
    area = sao_paulo.to_crs(4326)
    centre = h3_cells(area, 9, contain="center")
    assert set(centre["h3"]) == set(sao_paulo["id"])
    cover = h3_cells(area, 9)  # overlap: covers everything
    assert cover.union_all().buffer(1e-9).covers(area.union_all())
    with pytest.raises(SitingError, match="resolution"):
        h3_cells(area, 16)


def test_areal_interpolation_reports_or_refuses_unassigned(sao_paulo):
    half = sao_paulo.iloc[:100]
    with pytest.raises(PopulationError, match="touch no target"):
        areal_interpolate(sao_paulo, half)
    out = areal_interpolate(sao_paulo, half, on_unassigned="report")
    assert out["population"].sum() + out.attrs["population_outside"] == pytest.approx(
        SAO_PAULO_TOTAL)
    assert len(out.attrs["unassigned"]) > 0


# -- buildings ----------------------------------------------------------------------------------

def test_buildings_floor_area_per_person(osm_buildings):
    homes = population_from_buildings(osm_buildings)
    assert homes.attrs["floor_area_per_person"] == QINGDAO_FLOOR_AREA_PER_PERSON_M2 == 37.2
    # independent: footprint × storeys ÷ 37.2 over the residential buildings
    metric = osm_buildings.to_crs(homes.crs)
    residential = metric["building"].isin(
        ["residential", "apartments", "house", "detached", "semidetached_house", "terrace",
         "bungalow", "dormitory", "farm", "cabin", "static_caravan", "houseboat", "hut"])
    levels = pd.to_numeric(metric["building:levels"], errors="coerce")
    default = metric["building"].map({"residential": 4, "apartments": 6, "terrace": 2,
                                      "house": 2, "detached": 2}).fillna(2)
    storeys = levels.where(levels > 0, default)
    expected = (metric.area * storeys)[residential].sum() / 37.2
    assert homes["population"].sum() == pytest.approx(expected, rel=1e-9)
    assert len(homes) == int(residential.sum())
    assert homes.attrs["non_residential"] == len(osm_buildings) - len(homes)
    assert set(homes["levels_source"]) <= {"tag", "default", "height"}
    assert (homes.loc[homes["levels_source"] == "tag", "levels"] > 0).all()


def test_buildings_parameters(osm_buildings):
    base = population_from_buildings(osm_buildings)
    double = population_from_buildings(osm_buildings, floor_area_per_person=18.6)
    assert double["population"].sum() == pytest.approx(2 * base["population"].sum())
    six = population_from_buildings(osm_buildings, default_levels=6)
    assert (six.loc[six["levels_source"] == "default", "levels"] == 6).all()
    mixed = population_from_buildings(osm_buildings, residential_share={"residential": 0.5})
    res = base["building"] == "residential"
    assert mixed["population"][res].sum() == pytest.approx(base["population"][res].sum() / 2)
    # untyped buildings inside residential land use count when asked
    zone = gpd.GeoDataFrame(geometry=[shapely.box(*osm_buildings.total_bounds).buffer(0.01)],
                            crs=osm_buildings.crs)
    with_yes = population_from_buildings(osm_buildings, residential_landuse=zone,
                                         yes_in_residential_landuse=True)
    assert len(with_yes) == len(base) + int((osm_buildings["building"] == "yes").sum())
    with pytest.raises(SitingError, match="needs the land-use polygons"):
        population_from_buildings(osm_buildings, yes_in_residential_landuse=True)
    with pytest.raises(SitingError, match="floor_area_per_person"):
        population_from_buildings(osm_buildings, floor_area_per_person=0)


def test_levels_and_height_tags_are_parsed():
    square = shapely.box(0, 0, 10, 10)  # 100 m²
    b = gpd.GeoDataFrame({"building": ["apartments", "apartments", "house", "apartments"],
                          "building:levels": ["3;4", None, None, "abc"],
                          "height": [None, "31 m", None, None]},
                         geometry=[square] * 4, crs="EPSG:32650")
    homes = population_from_buildings(b, floor_area_per_person=10)
    assert homes["levels"].tolist() == [3, 10, 2, 6]
    assert homes["levels_source"].tolist() == ["tag", "height", "default", "default"]
    assert homes["population"].tolist() == pytest.approx([30, 100, 20, 60])


def test_buildings_dasymetric_from_a_total(osm_buildings):
    homes = population_from_buildings(osm_buildings)
    area = gpd.GeoDataFrame({"district": ["all"], "population": [10_000]},
                            geometry=[shapely.box(*osm_buildings.total_bounds).buffer(1e-3)],
                            crs=osm_buildings.crs)
    targets = homes.drop(columns=["population"])
    whole = disaggregate(area, targets, weight="floor_area_m2", integer=True)
    assert whole["population"].sum() == 10_000
    spread = disaggregate(area, targets, weight="floor_area_m2")
    expected = 10_000 * targets["floor_area_m2"] / targets["floor_area_m2"].sum()
    assert np.allclose(spread["population"].to_numpy(), expected.to_numpy())
    # whole persons differ from the exact shares by less than one person each
    assert (whole["population"] - spread["population"]).abs().max() < 1


# -- census totals ------------------------------------------------------------------------------

def test_shanghai_census_onto_cells_exact_per_district(shanghai_districts):
    assert shanghai_districts["population"].sum() == SHANGHAI_TOTAL
    grid = square_grid(shanghai_districts, 2000)
    cells = disaggregate(shanghai_districts, grid, integer=True)
    per_district = cells.groupby("district")["population"].sum()
    expected = shanghai_districts.set_index("district")["population"]
    assert (per_district.reindex(expected.index) == expected).all()
    assert cells["population"].sum() == SHANGHAI_TOTAL
    assert (cells["population"] == cells["population"].round()).all()
    assert cells.attrs["targets_outside"] > 0  # sea cells of the grid, counted, not lost
    floats = disaggregate(shanghai_districts, grid)
    assert floats.groupby("district")["population"].sum().reindex(expected.index).to_numpy() \
        == pytest.approx(expected.to_numpy(), rel=1e-12)


def test_districts_without_weight_raise_or_fall_back(shanghai_districts):
    grid = square_grid(shanghai_districts, 2000)
    centre = grid.to_crs(4326).geometry.representative_point()
    # targets only in Pudong (310115): every other district is left without weight
    pudong = shanghai_districts[shanghai_districts["district"] == 310115].union_all()
    only = grid[centre.within(pudong).to_numpy()]
    with pytest.raises(PopulationError, match=r"15 districts with people have no area"):
        disaggregate(shanghai_districts, only)
    spread = disaggregate(shanghai_districts, only, on_no_weight="area", integer=True)
    assert spread["population"].sum() == SHANGHAI_TOTAL
    assert (spread["weight_basis"] == "district").sum() == 15
    assert len(spread.attrs["fallback_districts"]) == 15
    # zero floor area in a district falls back to target area
    cells = only.assign(floor_area_m2=0.0)
    some = shanghai_districts[shanghai_districts["district"] == 310115]
    with pytest.raises(PopulationError, match="floor_area_m2 weight"):
        disaggregate(some, cells, weight="floor_area_m2")
    back = disaggregate(some, cells, weight="floor_area_m2", on_no_weight="area")
    assert back["population"].sum() == pytest.approx(some["population"].sum())
    assert set(back["weight_basis"]) == {"area"}


def test_disaggregate_by_district_key_and_several_columns():
    cells = gpd.GeoDataFrame({"district": ["a", "a", "b"], "w": [1.0, 3.0, 2.0]},
                             geometry=[shapely.Point(0, 0)] * 3, crs="EPSG:32650")
    totals = pd.DataFrame({"district": ["a", "b"], "population": [100, 7],
                           "planned": [120, 5]})
    out = disaggregate(totals, cells, ["population", "planned"], weight="w")
    assert out["population"].tolist() == [25, 75, 7]
    assert out["planned"].tolist() == [30, 90, 5]
    with pytest.raises(PopulationError, match="negative"):
        disaggregate(totals.assign(population=[-1, 7]), cells, weight="w")
    with pytest.raises(SitingError, match="unique"):
        disaggregate(pd.concat([totals, totals]), cells, weight="w")


# -- population bases ---------------------------------------------------------------------------

def test_age_bases_from_census_shares(shanghai_districts):
    ages = pd.read_csv(shared_path("china", "county_ages_2020.csv"), encoding="utf-8-sig")
    shares = age_group_shares(ages)
    row = pd.to_numeric(ages.set_index("CODE").loc[310115].drop("NAME"))
    assert shares.loc[310115, "age_0_3"] == pytest.approx(row["AGES_0"] + row["AGES_1-4"] / 2)
    assert shares.loc[310115, "age_3_6"] == pytest.approx(row["AGES_1-4"] / 2
                                                          + row["AGES_5-9"] / 5)
    assert shares.loc[310115, "age_60p"] == pytest.approx(row["AGES_60-64"] + row["AGES_65P"])
    # the under-15 bands of the table add up to its AGES_0-14 column
    under15 = row[["AGES_0", "AGES_1-4", "AGES_5-9", "AGES_10-14"]].sum()
    assert under15 == pytest.approx(row["AGES_0-14"], abs=2e-4)
    grid = square_grid(shanghai_districts, 3000)
    cells = add_age_bases(disaggregate(shanghai_districts, grid), ages)
    for group in AGE_GROUPS:
        assert group in cells.columns
    assert (cells["age_65p"] <= cells["age_60p"]).all()
    # Shanghai's 2020 census counted 5.82 million residents aged 60+ (23.4 %)
    assert cells["age_60p"].sum() == pytest.approx(5.8155e6, rel=0.01)
    with pytest.raises(PopulationError, match="missing from the age table"):
        add_age_bases(cells.assign(district=999999), ages)


def test_new_residents_count_growth_and_report_decline():
    table = pd.DataFrame({"district": ["a", "b", "c"], "population": [1000, 500, 200]})
    planned = pd.DataFrame({"district": ["a", "b", "c"], "planned": [1500, 300, 200]})
    out = new_residents(table, planned, on="district")
    assert out["new_residents"].tolist() == [500, 0, 0]
    assert out["population_decline"].tolist() == [0, 200, 0]
    assert out.attrs["new_residents"] == 500 and out.attrs["population_decline"] == 200
    assert out.attrs["declining"] == 1
    with pytest.raises(PopulationError, match="no planned total"):
        new_residents(table, planned.iloc[:2], on="district")
    with pytest.raises(PopulationError, match="negative"):
        new_residents(table.assign(planned=[-1, 0, 0]))
