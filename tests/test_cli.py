"""The ``siting`` command: demo (the whole chain, fast), rules list/show, check, report."""

from __future__ import annotations

import shutil
import time
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from siting.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "town.yaml"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    import contextlib
    import io

    out = tmp_path_factory.mktemp("demo")
    stdout = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(stdout):
        code = main(["demo", "--out", str(out), "--quiet"])
    return code, stdout.getvalue(), out, time.perf_counter() - start


def test_demo_runs_the_whole_chain(demo):
    code, text, out, seconds = demo
    assert code == 0
    print(f"\nsiting demo: {seconds:.1f} s")
    for name in ("index.html", "summary.csv", "summary.xlsx", "gaps.gpkg", "walk_access.csv"):
        assert (out / name).stat().st_size > 0, name
    districts = sorted(p.name for p in (out / "districts").iterdir())
    assert districts == sorted(["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "C3"])
    for d in districts:
        folder = out / "districts" / d
        assert sorted(p.name for p in folder.glob("map_*.html")) == [
            "map_GB50180-KG.html", "map_GB50180-PS.html", "map_SH21-02-sports.html"]
    # proposed kindergartens in the gaps and on the kindergarten maps
    layers = {name for name, _ in pyogrio.list_layers(out / "gaps.gpkg")}
    assert {"districts", "uncovered_cells", "isochrones", "proposed_sites"} <= layers
    sites = gpd.read_file(out / "gaps.gpkg", layer="proposed_sites")
    assert (sites["newly_covered"] > 0).all() and sites["kinds"].str.contains("kindergarten").any()
    b2 = sites[sites["district"] == "B2"]
    assert len(b2) and "siting-proposal" in (out / "districts" / "B2" /
                                             "map_GB50180-KG.html").read_text()
    page = (out / "districts" / "B2" / "index.html").read_text()
    assert "Proposed sites" in page and 'class="sites"' in page
    # districts whose targets no candidate site can meet keep their report, with the reason
    index = pd.read_csv(out / "summary.csv")
    # and the town-wide row of SH21-02-sports (applied to the whole town, check_at: area)
    assert set(index["district"]) == set(districts) | {"(study area)"}
    town = index[index["district"] == "(study area)"]
    assert town["rule_id"].tolist() == ["SH21-02-sports"] and (town["level"] == "area").all()


def test_demo_prints_a_readable_table(demo):
    code, text, out, _ = demo
    assert "StudyArea(9 districts" in text
    assert "GB50180-KG Kindergarten within 300 m walk" in text
    table = text[text.index("District × rule"):]
    lines = table.splitlines()
    assert "GB50180-KG" in lines[1] and "SH21-02-sports" in lines[1]
    summary = pd.read_csv(out / "summary.csv")
    b2 = summary[(summary["district"] == "B2") & (summary["rule_id"] == "GB50180-KG")].iloc[0]
    row = next(line for line in lines if line.startswith("B2"))
    assert f"✗ {b2['reading'] * 100:.1f} %" in row


def test_demo_rerun_skips_done_districts(demo):
    _, _, out, _ = demo
    stamp = (out / "districts" / "A1" / "index.html").stat().st_mtime_ns
    assert main(["demo", "--out", str(out), "--quiet"]) == 0
    assert (out / "districts" / "A1" / "index.html").stat().st_mtime_ns == stamp
    # --force is exercised on real data in test_report_batch.py


def test_rules_list_and_show(capsys):
    assert main(["rules", "list", "gb50180-2018", "--width", "160"]) == 0
    text = capsys.readouterr().out
    assert "GB50180-KG" in text and "≥ 100 % of population within 300 m walk" in text
    assert "7 rules" in text  # 3 tiers, 3 radii, GB50180-TIERS
    # every line fits the width asked for, CJK characters counted as two columns
    assert main(["rules", "list", "--width", "90", "--lang", "zh"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["编号", "类型"] and "共" in lines[-1]
    wide = [sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in lines]
    assert max(wide) <= 90 and len(lines) > 100
    assert main(["rules", "list", "--domain", "emergency", "--checkable"]) == 0
    text = capsys.readouterr().out
    assert "SH16-18" in text and "GB50180-KG" not in text
    assert main(["rules", "show", "SH16-18"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("SH16-18 — ") and "急救站点平均服务半径≤3.5公里" in text
    assert main(["rules", "show", "NOPE-1"]) == 2
    assert "NOPE-1" in capsys.readouterr().err


def test_check_prints_the_assessment(capsys):
    assert main(["check", str(EXAMPLE)]) == 0
    text = capsys.readouterr().out
    assert "Assessment of 3 checkable rules over 9 districts" in text
    assert "District × rule" in text and "✗" in text and "networks: walk" in text
    # the town-wide row of SH21-02-sports: no NaN where district rules have no such row
    row = next(line for line in text.splitlines() if line.lstrip().startswith("study area"))
    assert "NaN" not in text and "nan" not in row and "—" in row and "%" in row
    assert "e+0" not in text


def test_report_from_config(tmp_path, capsys):
    config = tmp_path / "town.yaml"
    shutil.copy(EXAMPLE, config)
    out = tmp_path / "out"
    assert main(["report", str(config), "--out", str(out), "--quiet", "--district", "B2"]) == 0
    text = capsys.readouterr().out
    assert "B2" in text and "1 district(s) {'ok': 1}" in text
    assert (out / "districts" / "B2" / "index.html").exists()
    assert not (out / "districts" / "A1").exists()
    summary = pd.read_csv(out / "summary.csv")
    # the town-wide row reads every district's data, whichever districts were rerun
    assert set(summary["district"]) == {"B2", "(study area)"}
    # outputs.dir of the config when --out is not given
    config.write_text(config.read_text().replace("dir: siting-report", f"dir: {tmp_path / 'o2'}"))
    assert main(["report", str(config), "--quiet", "--district", "A3"]) == 0
    assert (tmp_path / "o2" / "index.html").exists()


def test_propose_from_config(tmp_path, capsys):
    example = Path(__file__).resolve().parents[1] / "examples" / "town.yaml"
    assert main(["propose", str(example), "--out", str(tmp_path), "--relax"]) == 0
    printed = capsys.readouterr().out
    assert "new sites (optimal" in printed and "Out of reach of every candidate" in printed
    sites = gpd.read_file(tmp_path / "proposed_sites.gpkg")
    table = pd.read_csv(tmp_path / "proposed_sites.csv")
    assert len(sites) == len(table) > 0 and sites.crs.to_epsg() == 4326
    assert table["newly_covered"].iloc[0] == table["newly_covered"].max()
    for column in ("site", "lon", "lat", "map_system", "address", "covered:GB50180-KG"):
        assert column in table.columns, column
    kg = table[table["rules"].str.contains("GB50180-KG")]
    assert (kg["covered:GB50180-KG"] >= 0).all() and kg["covered:GB50180-KG"].sum() > 0
    after = pd.read_csv(tmp_path / "assessment_after.csv")
    assert after.loc[after["rule_id"] == "SH21-02-sports", "passed"].all()
    # without --relax the unreachable people make it an error that says how to fix it
    assert main(["propose", str(example), "--out", str(tmp_path / "strict")]) == 2
    assert "add candidate sites" in capsys.readouterr().err
