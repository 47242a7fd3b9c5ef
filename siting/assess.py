"""assess(area, rules) → Assessment: every rule checked in every district, in one tidy table.

The assessment never stops at the first rule that lacks an input (no network, no ``beds``
column, no facility of a kind): with ``errors="report"`` (the default) such a rule gets one
row per district in scope with ``passed`` empty and the reason in ``note``, and is listed in
:attr:`Assessment.errors`. ``errors="raise"`` stops at the first one instead.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import SitingError
from .rules.base import (STUDY_AREA, TABLE_COLUMNS, Context, Rule, RuleResult, _finish,
                         _fmt_num)
from .rules.catalog import RuleSet, load_rules
from .units import format_verdict

if TYPE_CHECKING:
    from .study_area import StudyArea

#: Columns of :attr:`Assessment.table`: the rule table columns plus where each rule comes from.
ASSESSMENT_COLUMNS = TABLE_COLUMNS + ["part_of", "document", "target_year", "check_at", "level"]
#: Values of the ``level`` column: a district row that decides, the study-area row of a rule
#: stated for the whole area (it decides), and a district row of such a rule (diagnostic only).
LEVEL_DISTRICT, LEVEL_AREA, LEVEL_DIAGNOSTIC = "district", "area", "diagnostic"
ERRORS = ("raise", "report")


def _truthy(values: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype(bool)
    if pd.api.types.is_numeric_dtype(values):
        return pd.to_numeric(values, errors="coerce").fillna(0) >= 0.5
    return values.astype(str).str.strip().str.lower().isin({"true", "yes", "1", "urban", "城镇", "城市"})


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Population-weighted Gini coefficient of district values (0 = equal, 1 = all in one).

    G = Σᵢ Σⱼ wᵢ wⱼ |xᵢ − xⱼ| / (2 (Σw)² μ), μ the weighted mean.
    """
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    ok = np.isfinite(values) & np.isfinite(weights) & (weights > 0)
    values, weights = values[ok], weights[ok]
    if len(values) == 0 or weights.sum() == 0:
        return float("nan")
    mean = float(np.average(values, weights=weights))
    if mean == 0:
        return 0.0
    diff = np.abs(values[:, None] - values[None, :])
    return float((weights[:, None] * weights[None, :] * diff).sum()
                 / (2.0 * weights.sum() ** 2 * mean))


@dataclass
class Assessment:
    """The outcome of :func:`assess`.

    Attributes
    ----------
    table
        Tidy, one row per (district, rule) — composite parts included with ``part_of`` set.
        Columns :data:`ASSESSMENT_COLUMNS`.
    overall
        One row per rule for the whole study area (for rules stated city-wide, ``check_at ==
        "area"``, this row decides).
    failures
        Geometry of each failure: uncovered cells, failing districts or units, with
        ``rule_id`` (and ``part_of`` for composite parts).
    readings
        Every reading computed (all service-radius readings, for instance), long format.
    errors
        Rules that could not be evaluated: ``rule_id``, ``error`` (type), ``field``, ``message``.
    skipped
        Rules recorded but not checkable (principles, site budgets).
    results
        The :class:`~siting.rules.RuleResult` of each evaluated rule, by id.
    """

    table: pd.DataFrame
    overall: pd.DataFrame
    failures: gpd.GeoDataFrame
    readings: pd.DataFrame
    errors: pd.DataFrame
    skipped: list[Rule]
    results: dict[str, RuleResult] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    district_info: pd.DataFrame = field(default_factory=pd.DataFrame)
    area: StudyArea | None = field(default=None, repr=False)

    # -- views ------------------------------------------------------------------------------
    def map(self, rule: str | Rule | None = None, **kwargs: object):
        """A folium map of one rule (see :func:`siting.report.assessment_map`)."""
        from .report import assessment_map

        return assessment_map(self, kwargs.pop("area", None) or self.area, rule, **kwargs)

    @property
    def top(self) -> pd.DataFrame:
        """Rows of top-level rules only (composite parts left out)."""
        return self.table[self.table["part_of"].isna()]

    @property
    def district_rows(self) -> pd.DataFrame:
        """Top-level rows of districts (the study-area rows of area-level rules left out)."""
        top = self.top
        return top[top["level"] != LEVEL_AREA]

    def verdicts(self) -> pd.DataFrame:
        """One row per top-level rule: passed at its stated level, districts passing/failing."""
        rows = []
        for rule in self.rules:
            if not rule.checkable:
                continue
            result = self.results.get(rule.id)
            part = self.district_rows[self.district_rows["rule_id"] == rule.id]
            n_pass = int((part["passed"] == True).sum())  # noqa: E712
            n_fail = int((part["passed"] == False).sum())  # noqa: E712
            rows.append({
                "rule_id": rule.id, "kind": rule.kind, "name": rule.name or rule.describe(),
                "strength": str(rule.strength), "check_at": rule.decided_at,
                "passed": None if result is None else result.passed,
                "districts_passed": n_pass, "districts_failed": n_fail,
                "districts_undecided": int(part["passed"].isna().sum()),
                "evaluated": result is not None,
            })
        return pd.DataFrame(rows)

    def pivot(self, value: str = "passed") -> pd.DataFrame:
        """District × rule matrix of ``value`` (top-level rules)."""
        return self.district_rows.pivot_table(index="district", columns="rule_id", values=value,
                                    aggfunc="first", dropna=False, sort=False)

    @property
    def equity(self) -> pd.DataFrame:
        """Equalisation (均等化) across districts, one row per top-level rule.

        The metric is ``covered_share`` where the rule has one (access, service circles, one
        per unit) and ``attainment`` otherwise (reading ÷ required, 1 = just passing).
        Columns: metric, districts, worst_district, worst, best_district, best, mean
        (population-weighted), gini (population-weighted across districts), and, when the
        districts carry an ``urban`` flag, urban, rural and urban_rural_gap (urban − rural).
        """
        rows = []
        info = self.district_info
        for rule in self.rules:
            if not rule.checkable or rule.id in set(self.errors.get("rule_id", [])):
                continue
            part = self.district_rows[(self.district_rows["rule_id"] == rule.id)]
            metric = "covered_share" if part["covered_share"].notna().any() else "attainment"
            data = part[["district", metric]].merge(info, on="district", how="left")
            data = data[np.isfinite(pd.to_numeric(data[metric], errors="coerce"))]
            row: dict[str, object] = {"rule_id": rule.id, "kind": rule.kind, "metric": metric,
                                      "districts": len(data)}
            if len(data):
                values = data[metric].astype(float).to_numpy()
                weights = data["population"].astype(float).to_numpy()
                worst, best = int(np.argmin(values)), int(np.argmax(values))
                row.update(worst_district=data["district"].iloc[worst], worst=values[worst],
                           best_district=data["district"].iloc[best], best=values[best],
                           mean=float(np.average(values, weights=weights))
                           if weights.sum() > 0 else float(values.mean()),
                           gini=weighted_gini(values, weights))
                if "urban" in data.columns and data["urban"].notna().any():
                    urban = data["urban"].astype(bool).to_numpy()
                    for label, mask in (("urban", urban), ("rural", ~urban)):
                        row[label] = float(np.average(values[mask], weights=weights[mask])) \
                            if mask.any() and weights[mask].sum() > 0 else np.nan
                    row["urban_rural_gap"] = row["urban"] - row["rural"]  # type: ignore[operator]
            rows.append(row)
        columns = ["rule_id", "kind", "metric", "districts", "worst_district", "worst",
                   "best_district", "best", "mean", "gini"]
        if "urban" in info.columns:
            columns += ["urban", "rural", "urban_rural_gap"]
        return pd.DataFrame(rows).reindex(columns=columns)

    # -- text -------------------------------------------------------------------------------
    def summary(self, lang: str = "en") -> str:
        """The assessment in plain words: what passes, what fails, where, by how much.

        ``lang="zh"`` gives the Chinese text ``siting check`` prints
        (:func:`siting.report.check_text.summary_text`).
        """
        if lang != "en":
            from .report.check_text import summary_text

            return summary_text(self, lang)
        verdicts = self.verdicts()
        n_districts = len(self.district_info)
        people = float(self.district_info["population"].sum()) if n_districts else 0.0
        lines = [f"Assessment of {len(verdicts)} checkable rules over {n_districts} districts "
                 f"({_fmt_num(people)} residents)."]
        if self.area is not None:
            lines += [f"WARNING: {w}" for w in self.area.residents_warnings()]
        if len(verdicts):
            passed = verdicts["passed"]
            lines.append(f"Passed: {int((passed == True).sum())}, failed: "  # noqa: E712
                         f"{int((passed == False).sum())}, not decided or not evaluated: "  # noqa: E712
                         f"{int(passed.isna().sum())}.")
        for _, v in verdicts.iterrows():
            rule = next(r for r in self.rules if r.id == v["rule_id"])
            lines.append(self._rule_line(rule, v))
        clipped = self.area.clip_summary() if self.area is not None and hasattr(
            self.area, "clip_summary") else ""
        if clipped:
            lines.append(clipped[0].upper() + clipped[1:] + ".")
        if self.skipped:
            lines.append(f"Recorded but not checkable: {len(self.skipped)} principles and site "
                         f"budgets ({', '.join(r.id for r in self.skipped[:6])}"
                         f"{' …' if len(self.skipped) > 6 else ''}).")
        return "\n".join(lines)

    def _rule_line(self, rule: Rule, verdict: pd.Series) -> str:
        head = f"- {rule.id} {rule.name or rule.describe()} [{rule.strength}]"
        if not verdict["evaluated"]:
            err = self.errors[self.errors["rule_id"] == rule.id]
            reason = err["message"].iloc[0] if len(err) else "not evaluated"
            return f"{head}: NOT EVALUATED — {reason}"
        rows = self.district_rows[self.district_rows["rule_id"] == rule.id]
        if rule.decided_at == "area":
            o = self.overall[self.overall["rule_id"] == rule.id].iloc[0]
            state = {True: "passes", False: "FAILS"}.get(verdict["passed"], "not decided")
            text = (f"{head}: {state} for the study area "
                    f": {format_verdict(o['reading'], o['op'], o['required'], o['unit'])}")
            if verdict["passed"] is False and o["shortfall"] > 0:
                text += f"; short by {_fmt_num(o['shortfall'])} {o['shortfall_unit']}"
            return text
        failed = rows[rows["passed"] == False]  # noqa: E712
        n = len(rows)
        if verdict["passed"] is True:
            return f"{head}: passes in all {n} districts"
        if len(failed) == 0:
            return f"{head}: not decided ({int(rows['passed'].isna().sum())} of {n} districts " \
                   "lack data)"
        worst = failed.sort_values("attainment").iloc[0]
        total_short = failed["shortfall"].sum()
        units = set(failed["shortfall_unit"].dropna())
        short = f"; total shortfall {_fmt_num(total_short)} {units.pop()}" \
            if len(units) == 1 and total_short > 0 else ""
        return (f"{head}: FAILS in {len(failed)} of {n} districts; worst {worst['district']}: "
                f"{format_verdict(worst['reading'], worst['op'], worst['required'], worst['unit'])}"
                f"{short}")

    def __repr__(self) -> str:
        v = self.verdicts()
        passed = v["passed"] if len(v) else pd.Series(dtype=object)
        return (f"<Assessment {len(v)} rules × {len(self.district_info)} districts: "
                f"{int((passed == True).sum())} pass, {int((passed == False).sum())} fail, "  # noqa: E712
                f"{int(passed.isna().sum())} undecided>")

    def _repr_html_(self) -> str:
        esc = html.escape
        v = self.verdicts()
        colour = {True: "#d9f2d9", False: "#f9d6d5", None: "#eeeeee"}
        out = [f"<div><p><b>{esc(self.summary().splitlines()[0])}</b></p>"]
        out.append("<table><thead><tr><th>rule</th><th>kind</th><th>strength</th><th>verdict"
                   "</th><th>districts failing</th><th>name</th></tr></thead><tbody>")
        for _, r in v.iterrows():
            p = r["passed"]
            word = {True: "passes", False: "fails"}.get(p, "not evaluated" if not r["evaluated"]
                                                         else "not decided")
            out.append(f"<tr style='background:{colour.get(p, '#eeeeee')}'>"
                       f"<td>{esc(r['rule_id'])}</td><td>{esc(r['kind'])}</td>"
                       f"<td>{esc(r['strength'])}</td><td>{word}</td>"
                       f"<td>{r['districts_failed']} / {r['districts_passed'] + r['districts_failed'] + r['districts_undecided']}</td>"
                       f"<td>{esc(str(r['name']))}</td></tr>")
        out.append("</tbody></table>")
        pivot = self.pivot() if len(self.top) else pd.DataFrame()
        if len(pivot):
            out.append("<p>District × rule (✓ pass, ✗ fail, · undecided)</p><table><thead><tr>"
                       "<th>district</th>" + "".join(f"<th>{esc(str(c))}</th>"
                                                       for c in pivot.columns) + "</tr></thead><tbody>")
            for district, row in pivot.iterrows():
                cells = []
                for value in row:
                    key = None if pd.isna(value) else bool(value)
                    mark = {True: "✓", False: "✗", None: "·"}[key]
                    cells.append(f"<td style='background:{colour[key]};text-align:center'>{mark}</td>")
                out.append(f"<tr><td>{esc(str(district))}</td>{''.join(cells)}</tr>")
            out.append("</tbody></table>")
        if len(self.errors):
            out.append("<p>Not evaluated:</p><ul>" + "".join(
                f"<li>{esc(r['rule_id'])}: {esc(r['message'])}</li>"
                for _, r in self.errors.iterrows()) + "</ul>")
        out.append("</div>")
        return "".join(out)


def _rules_list(rules: object) -> list[Rule]:
    if isinstance(rules, Rule):
        return [rules]
    if isinstance(rules, RuleSet):
        return list(rules)
    if isinstance(rules, str):
        return list(load_rules(rules))
    if isinstance(rules, Iterable):
        out: list[Rule] = []
        for item in rules:
            out += [item] if isinstance(item, Rule) else list(load_rules(item))
        return out
    raise SitingError("rules", type(rules).__name__, "not rules",
                      "pass rule objects, a RuleSet, or catalogue / rule ids")


def _error_rows(rule: Rule, area: StudyArea, exc: SitingError) -> pd.DataFrame:
    try:
        districts, _ = rule.scope.resolve(area)  # type: ignore[union-attr]
    except SitingError:
        districts = []
    districts = districts or area.districts["district"].astype(str).tolist()
    table = pd.DataFrame({
        "district": districts,
        "passed": pd.array([pd.NA] * len(districts), dtype="boolean"),
        "note": f"not evaluated: {exc.problem} ({exc.field}={exc.value!r}). Fix: {exc.fix}"})
    return _finish(rule, table)


def assess(area: StudyArea, rules: object = None, *, errors: str = "report",
           units: Mapping[str, gpd.GeoDataFrame] | None = None, straight_line: bool = False,
           detour: float = 1.0, absent_is_zero: bool = False) -> Assessment:
    """Check rules against a study area, per district.

    Parameters
    ----------
    area
        The :class:`~siting.StudyArea`.
    rules
        Rule objects, a :class:`~siting.rules.RuleSet`, catalogue ids, rule ids or YAML paths
        (anything :func:`~siting.rules.load_rules` takes). ``None`` checks every catalogue.
    errors
        ``"report"`` (default): a rule that lacks an input gets rows with ``passed`` empty and
        the reason in ``note``, and a row in :attr:`Assessment.errors`. ``"raise"``: raise it.
    units
        Finer administrative layers for one-per-unit rules, ``{"township": gdf, ...}``.
    straight_line
        Where the study area has no network for an access rule's mode, use straight-line
        distance (length thresholds only) rather than leaving the rule unevaluated.
    detour
        Factor on straight-line distances.
    absent_is_zero
        A facility kind absent from the study area means none exist (not missing data).

    Returns
    -------
    Assessment
    """
    if errors not in ERRORS:
        raise SitingError("errors", errors, "unknown error mode", "use 'report' or 'raise'")
    rule_list = _rules_list(load_rules() if rules is None else rules)
    ids = [r.id for r in rule_list]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SitingError("rules", dupes, "rule ids must be unique in one assessment",
                          "drop the duplicates or rename your own rules")
    context = Context(units=dict(units or {}), straight_line=straight_line, detour=detour,
                      absent_is_zero=absent_is_zero)
    tables, overall, failures, readings, error_rows = [], [], [], [], []
    skipped: list[Rule] = []
    results: dict[str, RuleResult] = {}
    for rule in rule_list:
        if not rule.checkable:
            skipped.append(rule)
            continue
        try:
            result = rule.evaluate(area, context)
        except SitingError as exc:
            if errors == "raise":
                raise
            error_rows.append({"rule_id": rule.id, "error": type(exc).__name__,
                               "field": exc.field, "message": f"{exc.problem}. Fix: {exc.fix}"})
            tables.append(_error_rows(rule, area, exc).assign(part_of=None))
            continue
        results[rule.id] = result
        _collect(result, None, tables, overall, failures, readings)
    table = _stack(tables, ASSESSMENT_COLUMNS)
    table["level"] = LEVEL_DISTRICT
    by_id = {r.id: r for top in rule_list for r in top.walk()}
    table["document"] = table["rule_id"].map(lambda i: by_id[i].document if i in by_id else "")
    table["target_year"] = table["rule_id"].map(
        lambda i: by_id[i].target_year if i in by_id else None).astype("Int64")
    table["check_at"] = table["rule_id"].map(lambda i: by_id[i].decided_at if i in by_id else "")
    table["passed"] = table["passed"].astype("boolean")
    overall_table = _stack(overall, ASSESSMENT_COLUMNS)
    overall_table["document"] = overall_table["rule_id"].map(lambda i: by_id[i].document)
    overall_table["target_year"] = overall_table["rule_id"].map(
        lambda i: by_id[i].target_year).astype("Int64")
    overall_table["check_at"] = overall_table["rule_id"].map(lambda i: by_id[i].decided_at)
    overall_table["level"] = np.where(overall_table["check_at"] == "area", LEVEL_AREA,
                                      LEVEL_DISTRICT)
    table = _with_area_rows(table, overall_table)
    failure_layer = _stack_failures(failures, area.crs)
    district_info = area.districts[["district"]].copy()
    district_info["population"] = district_info["district"].map(
        area.cells.groupby("district")["population"].sum()).fillna(0.0).to_numpy()
    if "urban" in area.districts.columns:
        district_info["urban"] = _truthy(area.districts["urban"]).to_numpy()
    return Assessment(
        table=table, overall=overall_table, failures=failure_layer,
        readings=pd.concat(readings, ignore_index=True) if readings else pd.DataFrame(
            columns=["district", "rule_id", "reading", "value", "unit"]),
        errors=pd.DataFrame(error_rows, columns=["rule_id", "error", "field", "message"]),
        skipped=skipped, results=results, rules=rule_list,
        district_info=pd.DataFrame(district_info), area=area)


def _with_area_rows(table: pd.DataFrame, overall: pd.DataFrame) -> pd.DataFrame:
    """Give each rule stated for the whole area its deciding study-area row in the table.

    Its district rows stay as diagnostics: ``passed`` is emptied (a district cannot fail a
    city-wide target on its own) and the note keeps what the district would read alone.
    """
    area_ids = set(overall.loc[overall["check_at"] == "area", "rule_id"])
    if not area_ids:
        return table
    table = table.copy()
    diag = table["rule_id"].isin(area_ids).to_numpy()
    alone = table.loc[diag, "passed"]
    words = alone.map(lambda v: "" if pd.isna(v) else (" would pass" if v else " would fail"))
    table.loc[diag, "note"] = [
        _join(n, f"diagnostic: decided for the whole study area (see its row); alone this "
                 f"district{w or ' is undecided'}") for n, w in zip(table.loc[diag, "note"], words)]
    table.loc[diag, "level"] = LEVEL_DIAGNOSTIC
    table["passed"] = table["passed"].astype("boolean")
    table.loc[diag, "passed"] = pd.NA
    rows = overall[overall["rule_id"].isin(area_ids)]
    # the study-area row follows the rule's district rows
    order = {rid: i for i, rid in enumerate(dict.fromkeys(table["rule_id"]))}
    out = pd.concat([table, rows], ignore_index=True)
    out["_order"] = out["rule_id"].map(order)
    out["_area"] = (out["level"] == LEVEL_AREA).astype(int)
    out = out.sort_values(["_order", "_area"], kind="stable").drop(columns=["_order", "_area"])
    out["passed"] = out["passed"].astype("boolean")
    return out.reset_index(drop=True)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _collect(result: RuleResult, part_of: str | None, tables: list, overall: list,
             failures: list, readings: list) -> None:
    tables.append(result.table.assign(part_of=part_of))
    overall.append(result.overall.assign(part_of=part_of))
    if part_of is None:
        # a rule stated for the whole area that passes there has no failure to show, even if
        # some districts fall short of the ratio on their own
        # (uncovered cells stay: they are the gap map of a coverage rule either way)
        area_passes = result.rule.decided_at == "area" and result.passed is True
        shown = result.failures
        if shown is not None and len(shown) and area_passes:
            shown = shown[shown["what"] == "cell"]
        if shown is not None and len(shown):
            failures.append(shown)
        if result.readings is not None and len(result.readings):
            readings.append(result.readings)
    for part in result.parts:
        _collect(part, result.rule.id, tables, overall, [], [])


def _stack(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    tables = [t for t in tables if len(t)]
    if not tables:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    out = pd.concat(tables, ignore_index=True)
    for column in columns:
        if column not in out:
            out[column] = None
    out["part_of"] = out["part_of"].astype(object).where(out["part_of"].notna(), None)
    return out[columns]


def _stack_failures(layers: list[gpd.GeoDataFrame], crs: object) -> gpd.GeoDataFrame:
    layers = [f for f in layers if f is not None and len(f)]
    if not layers:
        return gpd.GeoDataFrame({"rule_id": pd.Series(dtype=object),
                                 "district": pd.Series(dtype=object),
                                 "what": pd.Series(dtype=object),
                                 "population": pd.Series(dtype=float)},
                                geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    frames = [pd.DataFrame(f) for f in layers]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=crs)


__all__ = ["ASSESSMENT_COLUMNS", "LEVEL_AREA", "LEVEL_DIAGNOSTIC", "LEVEL_DISTRICT", "Assessment", "assess", "weighted_gini"]
# the study-area label, re-exported for users reading Assessment.overall
STUDY_AREA_LABEL = STUDY_AREA
