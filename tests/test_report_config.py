"""Run configurations: the shipped example loads; every bad CONFIG gives one error naming the key
and writes nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from siting.cli import DEMO_RULES, main
from siting.config import ConfigError, load_config, rules_from_spec

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "town.yaml"


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads():
    config = load_config(EXAMPLE)
    assert config.inputs["example"] == {"name": "town"}
    assert config.modes == ["walk"]
    assert [r.id for r in config.rules] == ["GB50180-KG", "GB50180-PS", "SH21-02-sports"]
    ps = config.rules[1]
    assert ps.facility == ("school",) and ps.threshold.value == 500
    assert "adapted in the run configuration: facility=school" in ps.provenance.caveats[-1]
    assert ps.provenance.quote == "小学服务半径不宜大于500m"   # provenance kept
    options = config.report_options()
    assert (options.lang, options.offline, options.isochrones, options.maps) == \
        ("en", True, "auto", "auto")
    assert config.out_dir == EXAMPLE.parent / "siting-report"
    assert config.propose == {"time_limit": 10}
    assert options.proposals.__qualname__ == "propose(infeasible='relax', time_limit=10)"


def test_example_config_and_demo_use_the_same_rules():
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert raw["rules"] == DEMO_RULES


def test_overrides_are_checked():
    with pytest.raises(ConfigError, match=r"rules\[0\]\.facilty.*no such field"):
        rules_from_spec([{"id": "GB50180-KG", "facilty": "school"}])
    with pytest.raises(ConfigError, match=r"rules\[0\].*threshold"):
        rules_from_spec([{"id": "GB50180-KG", "threshold": "five minutes"}])
    with pytest.raises(ConfigError, match="overrides apply to one rule"):
        rules_from_spec([{"id": "gb50180-2018", "share": "90 %"}])
    with pytest.raises(ConfigError, match="appear twice"):
        rules_from_spec(["gb50180-2018", "GB50180-KG"])


BASE = """
inputs:
  example: town
rules: [GB50180-KG]
"""


@pytest.mark.parametrize("text, key, words", [
    (BASE + "outptus: {lang: zh}\n", "run.yaml: outptus", "unknown key"),
    (BASE.replace("example: town", "example: town\n  district: x"), "inputs.district",
     "unknown key"),
    ("inputs: {districts: nowhere.gpkg}\nrules: [GB50180-KG]\n", "inputs.districts",
     "no such file"),
    ("inputs: {example: town}\nrules: [GB50180-KG, XX-99]\n", r"rules\[1\]",
     "no catalogue, rule id or file"),
    (BASE + "outputs: {lang: fr}\n", "outputs.lang", "unknown language"),
    (BASE + "outputs: {tiles: [Amap, OpenStreetMap]}\n", "outputs.tiles",
     "different coordinate systems"),
    (BASE + "outputs: {maps: [SH16-18]}\n", r"outputs.maps\[0\]", "not one of the rules"),
    (BASE + "outputs: {isochrones: [5 lightyears]}\n", "outputs.isochrones", "unknown unit"),
    (BASE + "modes: [bike]\n", r"modes\[0\]", "unknown travel mode"),
    (BASE + "assess: {detour: 0.5}\n", "assess.detour", "≥ 1"),
    ("inputs: {example: atlantis}\nrules: [GB50180-KG]\n", "inputs.example", "unknown example"),
    ("inputs: {example: town}\n", "rules", "missing"),
    (BASE + "propose: {time_limt: 5}\n", "propose.time_limt", "unknown key"),
    (BASE + "propose: {time_limit: soon}\n", "propose.time_limit", "must be a number"),
    ("inputs: {example: town\nrules: [x]\n", "run.yaml", "not valid YAML at line"),
])
def test_bad_config_one_clear_error(tmp_path, text, key, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert re.search(key, message), message
    assert words in message, message


@pytest.mark.parametrize("text", [
    BASE + "outptus: {lang: zh}\n",
    "inputs: {districts: nowhere.gpkg}\nrules: [GB50180-KG]\n",
    "inputs: {example: town}\nrules: [GB50180-KG, XX-99]\n",
])
def test_bad_config_writes_nothing(tmp_path, capsys, text):
    path = write(tmp_path, text)
    out = tmp_path / "report"
    assert main(["report", str(path), "--out", str(out), "--quiet", "--lang", "en"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("siting: error: run.yaml: ") and err.count("\n") == 1


def test_unreadable_layer_names_the_key(tmp_path):
    bad = tmp_path / "districts.gpkg"
    bad.write_text("not a geopackage")
    path = write(tmp_path, "inputs: {districts: districts.gpkg}\nrules: [GB50180-KG]\n")
    config = load_config(path)           # the file exists: validation passes
    with pytest.raises(ConfigError, match="inputs.districts.*cannot read the file"):
        config.batch_inputs()
    assert main(["report", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert not (tmp_path / "out").exists()


def test_missing_district_column_names_the_key(tmp_path):
    import geopandas as gpd
    import shapely

    gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.box(0, 0, 1000, 1000)],
                     crs="EPSG:32651").to_file(tmp_path / "d.gpkg")
    path = write(tmp_path, "inputs: {districts: d.gpkg, district_col: NAME}\n"
                           "rules: [GB50180-KG]\n")
    with pytest.raises(ConfigError, match=r"inputs.district_col='NAME'.*no such column"):
        load_config(path).batch_inputs()


def test_one_network_file_for_every_mode(tmp_path):
    import pyrosm

    pbf = pyrosm.get_data("test_pbf")
    districts = tmp_path / "d.gpkg"
    districts.write_bytes(b"")  # existence is all load_config checks
    path = write(tmp_path, f"inputs: {{districts: d.gpkg, network: {pbf}}}\n"
                           "modes: [walk, drive]\nrules: [GB50180-KG]\n")
    config = load_config(path)
    assert config.inputs["networks"] == {"walk": Path(pbf), "drive": Path(pbf)}
    path = write(tmp_path, f"inputs: {{districts: d.gpkg, network: {pbf}}}\n"
                           "rules: [GB50180-KG, SH16-18]\n")
    assert load_config(path).modes == ["walk", "drive"]     # the modes the rules travel by
    path = write(tmp_path, f"inputs: {{districts: d.gpkg, networks: {{walk: {pbf}}}}}\n"
                           "modes: [drive]\nrules: [GB50180-KG]\n")
    with pytest.raises(ConfigError, match=r"modes\[0\].*no network is given"):
        load_config(path)
