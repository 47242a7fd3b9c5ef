"""A rule kind written in a test module works through assess, propose, maps and batch slices
without any change to the library: the rule interface (reaches, map_travel, proposal,
decided_at) is all the consumers ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from siting import assess
from siting.propose import propose
from siting.report import ReportOptions, assessment_map
from siting.report.batch import BatchInputs
from siting.report.static import static_map
from siting.rules import RULE_KINDS, AccessRule, Rule, RuleResult, read_catalog
from siting.rules.base import empty_failures, frame, parse_threshold
from siting.rules.interface import ProposalBlock, Reach


@dataclass(kw_only=True, eq=False, repr=False)
class WorstWalkRule(Rule):
    """Toy kind: the farthest resident of each district walks at most ``threshold`` to the
    nearest facility (a "nobody further than" standard)."""

    kind: ClassVar[str] = "test_worst_walk"
    threshold: object = "500 m"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.threshold = parse_threshold(self.threshold, rule_id=self.id,
                                         field_name="threshold", dimension="length")

    def describe(self) -> str:
        return f"every resident within {self.threshold} walk of {self.facility_label()}"

    def reaches(self):
        return (Reach(self.facility, "walk", self.threshold),)

    def map_travel(self):
        return Reach(self.facility, "walk", self.threshold)

    def proposal(self):
        return ProposalBlock("coverage", self.facility, "walk", self.threshold, 1.0)

    def _evaluate(self, area, districts, context) -> RuleResult:
        near = area.nearest(list(self.facility), "walk", None, by="length")
        cells = area.cells.assign(d=near["distance_m"].to_numpy())
        cells = cells[cells["population"] > 0]
        limit = self.threshold.value

        def fill(names, groups):
            out = frame(names)
            worst = [float(g["d"].max()) if len(g) else np.nan for g in groups]
            lost = [float(g.loc[g["d"] > limit, "population"].sum()) for g in groups]
            out["population"] = [float(g["population"].sum()) for g in groups]
            out["reading"], out["op"], out["required"], out["unit"] = worst, "≤", limit, "m"
            out["uncovered_population"], out["shortfall"] = lost, lost
            out["shortfall_unit"] = "people"
            out["passed"] = pd.array([None if np.isnan(w) else bool(w <= limit) for w in worst],
                                     dtype="boolean")
            return out

        table = fill(districts, [cells[cells["district"] == d] for d in districts])
        overall = fill(["(study area)"], [cells[cells["district"].isin(districts)]])
        return self.result(table, overall, failures=empty_failures(area.crs))


RULE = WorstWalkRule(id="T-WORST", facility="kindergarten", threshold="900 m")


def test_the_kind_registers_and_a_catalogue_can_name_it(tmp_path):
    assert RULE_KINDS["test_worst_walk"] is WorstWalkRule
    path = tmp_path / "mine.yaml"
    path.write_text(
        "document: {id: mine, title: 自定标准, issuer: test, year: 2024}\n"
        "rules:\n  - id: M-1\n    kind: test_worst_walk\n    facility: kindergarten\n"
        "    threshold: 700 m\n    line: L1\n    quote: 步行700米\n    strength: target\n",
        encoding="utf-8")
    (rule,) = read_catalog(path)
    assert isinstance(rule, WorstWalkRule) and rule.threshold.value == 700


def test_assess_verdicts_agree_with_an_access_rule_at_100_percent(example):
    # "the farthest resident within 900 m" ⇔ "100 % of residents within 900 m"
    same = AccessRule(id="T-ALL", facility="kindergarten", threshold="900 m", mode="walk")
    result = assess(example, [RULE, same])
    mine = result.table[result.table["rule_id"] == "T-WORST"].set_index("district")
    access = result.table[result.table["rule_id"] == "T-ALL"].set_index("district")
    assert len(mine) == len(example.districts)
    for name in mine.index:
        assert bool(mine.at[name, "passed"]) == bool(access.at[name, "passed"])
        assert mine.at[name, "uncovered_population"] == pytest.approx(
            access.at[name, "uncovered_population"])
    assert result.overall.set_index("rule_id").at["T-WORST", "kind"] == "test_worst_walk"


def test_propose_places_sites_until_the_farthest_resident_is_within_reach(example):
    before = assess(example, [RULE])
    assert before.verdicts()["passed"].iloc[0] == False  # noqa: E712  (the town falls short)
    proposal = propose(example, [RULE], time_limit=30, infeasible="relax")
    assert len(proposal.sites) >= 1
    assert all("kindergarten" in k for k in proposal.sites["kinds"])
    after = proposal.after.table.set_index("district")
    unmet = set(proposal.unmet["district"]) if len(proposal.unmet) else set()
    for name in example.districts["district"]:
        if name not in unmet:
            assert after.at[name, "reading"] <= 900 + 1e-6


def test_maps_colour_by_its_threshold_and_slices_keep_its_reach(example):
    result = assess(example, [RULE])
    fmap = assessment_map(result, example, "T-WORST", lang="en", tiles=None)
    html = fmap.get_root().render()
    assert "900" in html and "T-WORST" in html
    fig = static_map(result, example, "T-WORST", lang="zh")
    assert fig is not None
    inputs = BatchInputs.from_area(example)
    options = ReportOptions(title="toy", lang="en", tiles=None, maps=None, isochrones=None)
    name = str(example.districts["district"].iloc[0])
    part = inputs.slice_for(name, [RULE], options)
    # sliced (not the whole inputs), and the walk network kept to at least 900 m around
    assert len(part.districts) < len(inputs.districts) or len(inputs.districts) == 1
    assert "walk" in part.networks


def test_a_kind_that_does_not_say_its_reach_gets_the_whole_inputs(example):
    @dataclass(kw_only=True, eq=False, repr=False)
    class Silent(WorstWalkRule):
        kind: ClassVar[str] = "test_silent"

        def reaches(self):
            return None

    inputs = BatchInputs.from_area(example)
    options = ReportOptions(title="toy", lang="en", tiles=None, maps=None, isochrones=None)
    name = str(example.districts["district"].iloc[0])
    part = inputs.slice_for(name, [Silent(id="T-S", facility="kindergarten")], options)
    assert len(part.facilities) == len(inputs.facilities)
    RULE_KINDS.pop("test_silent")


def test_a_batch_report_runs_the_kind_in_every_district(example, tmp_path):
    from siting.report import write_reports

    options = ReportOptions(title="toy", lang="zh", tiles=None, isochrones=None)
    result = write_reports(example, [RULE], tmp_path / "out", progress=False, options=options)
    assert not result.errors, [o.message for o in result.errors]
    whole = assess(example, [RULE]).table.set_index("district")
    summary = result.summary
    mine = summary[summary["rule_id"] == "T-WORST"].set_index("district")
    # each district's task saw its slice only and reads what the whole-area assessment reads
    for name in example.districts["district"]:
        assert mine.at[name, "reading"] == pytest.approx(whole.at[name, "reading"])
        assert bool(mine.at[name, "passed"]) == bool(whole.at[name, "passed"])
