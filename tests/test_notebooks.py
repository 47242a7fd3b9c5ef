"""The planner notebooks run top to bottom and still reach the answers they state.

Each notebook in ``notebooks/`` is executed with nbclient in a kernel of *this* Python (the
project's venv), with ``notebooks/`` as the working directory, as a planner would run it.
The checks:

* no cell raises (no ``error`` output);
* the last code cell prints the answer, and the numbers that could be wrong (populations,
  shares, counts of sites) appear both in that printed answer *and* in the closing markdown
  cell, so a conclusion written by hand cannot drift from what the code computes;
* the stored notebooks carry no outputs (the repository stays small).

Notebooks that read ``../shared/data`` skip with a reason when it is absent; the path is
passed to them in ``SITING_DATA``. Files they write go to a temporary ``SITING_OUT``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402
from traitlets import default  # noqa: E402

from conftest import PROJECT, SHARED_DATA  # noqa: E402

NOTEBOOKS = PROJECT / "notebooks"

# notebook -> (shared-data files it reads, key values of the answer)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "01_quick_start": ([], [
        "22,833", "0.3%", "0.0%", "46.1%", "7 of 9", "383", "22", "56 new sites",
        "30 new sites", "90.1%", "94.7%", "96.9%", "24.5%"]),
    "02_rule_catalogue": ([], [
        "106 rules from 6 documents", "56", "51", "0.3%", "1,370 m", "27.7%", "22,833"]),
    "03_shanghai_districts": (
        ["china/counties-geo.topojson", "china/county_population_2020.csv",
         "china/shanghai_poi/shanghai_hospital.csv", "china/shanghai_poi/kindergarten.csv"],
        ["16 districts", "24,870,895", "519", "47,921", "88,557", "89", "5.4 km", "9 of 16",
         "13.9 km", "125", "156", "45.2%", "30.5%"]),
    "04_sao_paulo_walk": (
        ["sao_paulo/spo_osm.pbf", "sao_paulo/spo_hexgrid_EPSG32723.gpkg"],
        ["89.4%", "517,570", "54,626", "8 of 12", "41,015", "10", "98.5%", "6"]),
    "05_proposals": ([], [
        "0.3%", "22,833", "20", "10", "67.4%", "55.2%", "512 m", "565 m", "1,314 m", "33.7%",
        "4,082", "643", "4.4", "0.25%", "3 sites"]),
    "06_batch_reports": ([], [
        # SH21-02 is a 主城区-wide share (check_at: area): per district it is a diagnostic and
        # not a failure, so each district fails the two per-district rules it is checked on
        "26", "D5", "3,612", "2 of 2", "22,774", "22,833", "12,298"]),
    "08_accessibility_scores": (
        ["sao_paulo/spo_osm.pbf", "sao_paulo/spo_hexgrid_EPSG32723.gpkg"],
        ["517,570", "462,944", "89.4%", "282,684", "61.1%", "137", "1.14", "A3", "93,944",
         "0.502", "0.461", "0.499", "29.7%"]),
    "07_shanghai_streets": (
        ["china/shanghai_osm/peoples_square_drive.osm", "china/shanghai_osm/bund_lujiazui_roads.gpkg",
         "china/shanghai_osm/bund_lujiazui_buildings.gpkg", "china/county_population_2020.csv",
         "china/shanghai_poi/kindergarten.csv", "china/shanghai_poi/shanghai_hospital.csv"],
        ["185,139", "16.2%", "39.5%", "85.4%", "100.0%", "87.7%", "5.3", "30,024", "155,115",
         "126,675", "11.1%", "24.4%", "2,157", "10.4%", "93,651", "33,024", "87", "21", "86",
         "97.0%", "22"]),
}


class ThisPythonKernel(KernelManager):
    """The ``python3`` kernel of the interpreter running the tests, whatever else is installed.

    A kernel spec found in a user or system directory could point at another Python; with no
    kernel directories, jupyter_client falls back to ipykernel's own spec, which launches
    ``sys.executable``.
    """

    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self) -> KernelSpecManager:
        return KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)


def _has(text: str, token: str) -> bool:
    """``token`` occurs in ``text`` as a whole number (``22`` matches neither ``220`` nor
    ``22,833`` nor ``1.22``)."""
    pattern = r"(?<![\d.,])" + re.escape(token) + (r"(?![\d]|[.,]\d)" if token[-1].isdigit()
                                                    else "")
    return re.search(pattern, " ".join(text.split())) is not None  # line breaks are spaces


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


def execute(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Run ``notebooks/<name>.ipynb`` in this Python; return the executed notebook."""
    monkeypatch.setenv("SITING_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("SITING_DATA", str(SHARED_DATA))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    check = nbformat.v4.new_code_cell("import sys; print(sys.executable)")
    nb.cells.insert(0, check)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", kernel_manager_class=ThisPythonKernel,
        resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{name}.ipynb raised:\n{exc}")
    print(f"{name}.ipynb ran in {time.perf_counter() - start:.1f} s")
    kernel_python = _text(nb.cells.pop(0)).strip()
    assert os.path.realpath(kernel_python) == os.path.realpath(sys.executable), (
        f"the notebook ran in {kernel_python}, not in this venv's {sys.executable}")
    return nb


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.shared) if needs else name
    for name, (needs, _) in CASES.items()])
def test_notebook_runs_and_states_its_answer(name, tmp_path, monkeypatch):
    needs, keys = CASES[name]
    missing = [p for p in needs if not (SHARED_DATA / p).exists()]
    if missing:
        pytest.skip(f"{name}.ipynb needs {missing} from {SHARED_DATA} (../shared/data beside "
                    "the project; CI always has it)")
    nb = execute(name, tmp_path, monkeypatch)

    errors = [(i, o.get("ename"), o.get("evalue")) for i, cell in enumerate(nb.cells)
              if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors, errors

    answer_cell, conclusion = nb.cells[-2], nb.cells[-1]
    assert answer_cell.cell_type == "code" and conclusion.cell_type == "markdown"
    answer = _text(answer_cell)
    assert answer.strip(), "the last code cell prints no answer"
    for token in keys:
        assert _has(answer, token), f"{token!r} not in the printed answer:\n{answer}"
        assert _has(conclusion.source, token), (
            f"{token!r} is in the printed answer but not in the closing markdown: update the "
            f"conclusion of {name}.ipynb to what the code now computes:\n{answer}")


@pytest.mark.parametrize("name", list(CASES))
def test_notebook_is_stored_clean(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and "planner wants to know" in nb.cells[0].source
    assert nb.cells[-1].cell_type == "markdown"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{name}.ipynb is stored with outputs: clear them before committing")


def test_every_notebook_is_tested():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == sorted(CASES)
