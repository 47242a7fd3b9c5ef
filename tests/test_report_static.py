"""Static outputs for written reports: PNG maps and PDFs, opened and read back."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pypdf
import pytest

import siting
from siting.datasets import load_example
from siting.errors import SitingError
from siting.report.static import district_pdf, run_pdf, save_png, static_map

RULES = ["GB50180-KG", "GB50180-PS"]


@pytest.fixture(scope="module")
def example():
    area = load_example()
    return area, siting.assess(area, RULES)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


@pytest.mark.parametrize("lang, words", [("zh", ["北", "行政区划", "未达标", "路网"]),
                                         ("en", ["N", "Districts", "fails", "streets"])])
def test_png_has_title_legend_scale_north_and_attribution(example, tmp_path, lang, words):
    area, result = example
    fig = static_map(result, area, "GB50180-KG", lang=lang)
    texts = _texts(fig)
    joined = "\n".join(texts)
    assert fig.axes[0].get_title(loc="left").startswith("GB50180-KG")
    for word in words:
        assert word in joined, word
    # a scale bar of a round length in the language's unit
    unit = "米" if lang == "zh" else "m"
    assert any(t.endswith(f" {unit}") and t.split()[0] in {"100", "200", "500", "1", "2", "5"}
               for t in texts)
    assert "OpenStreetMap" in joined
    # every district's verdict is drawn: the example's nine districts all fail GB50180-KG
    legend = fig.legends[0]
    labels = [t.get_text() for t in legend.get_texts()]
    fails = "未达标" if lang == "zh" else "fails"
    assert sum(fails in t for t in labels) == 1
    assert result.table.query("rule_id == 'GB50180-KG'")["passed"].eq(False).all()
    out = save_png(fig, tmp_path / f"kg_{lang}.png", dpi=80)
    image = mpimg.imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 300
    # not blank: the class colour of cells beyond twice the threshold (#d73027) shows
    rgb = (image[..., :3] * 255).round().astype(int).reshape(-1, 3)
    reddish = (rgb[:, 0] > 200) & (rgb[:, 1] < 140) & (rgb[:, 2] < 140)
    assert reddish.mean() > 0.05


def test_straight_line_readings_are_flagged_on_the_map(example):
    area, _ = example
    no_walk = siting.StudyArea(area.districts, area.cells[["population", "geometry"]],
                               area.facilities[["kind", "name", "geometry"]],
                               {"drive": area.networks["drive"]})
    result = siting.assess(no_walk, ["GB50180-KG"], straight_line=True)
    fig = static_map(result, no_walk, "GB50180-KG", lang="zh")
    assert "直线距离估算，高估可达性" in fig.legends[0].get_title().get_text()
    fig_en = static_map(result, no_walk, "GB50180-KG", lang="en")
    assert "straight-line" in fig_en.legends[0].get_title().get_text()


def test_district_and_run_pdfs_read_back(example, tmp_path):
    area, result = example
    district = area.districts["district"].iloc[0]
    path = district_pdf(result, area, district, tmp_path / "d.pdf", lang="zh")
    pdf = pypdf.PdfReader(path)
    # the verdict table, then a map per evaluated rule: the example has no primary school,
    # so GB50180-PS is undecided and has no map
    assert list(result.results) == ["GB50180-KG"]
    assert len(pdf.pages) == 2
    first = pdf.pages[0].extract_text()
    assert district in first and "区域评估报告" in first
    rows = result.table[result.table["district"] == district]
    assert first.count("未达标") == int(rows["passed"].eq(False).sum())
    assert first.count("未判定") == int(rows["passed"].isna().sum())
    assert "GB50180-PS" in first and "GB50180-KG" in pdf.pages[1].extract_text()
    assert pdf.metadata.title.startswith(district)

    run = pypdf.PdfReader(run_pdf(result, area, tmp_path / "run.pdf", lang="en"))
    n_rows = len(result.table)
    assert len(run.pages) == int(np.ceil(n_rows / 40)) + 1
    text = run.pages[0].extract_text()
    assert all(d in text for d in area.districts["district"])


def test_bad_district_or_rule_names_the_field(example, tmp_path):
    area, result = example
    with pytest.raises(SitingError, match="district"):
        district_pdf(result, area, "Atlantis", tmp_path / "x.pdf")
    with pytest.raises(SitingError, match="rule"):
        static_map(result, area, "NO-SUCH-RULE")
    assert not (tmp_path / "x.pdf").exists()
