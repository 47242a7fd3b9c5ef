r"""Proposals: the fewest new sites that make failing rules pass, solved exactly with HiGHS.

:func:`propose` turns the failures of an assessment into one optimisation model over candidate
sites. A site may host several facility kinds (co-location, 综合设置): the model counts sites,
not facilities.

Formulation. Candidates :math:`j \in J`, facility kinds :math:`k \in K`, districts
:math:`d`; :math:`s_j = 1` opens site :math:`j`, :math:`x_{kj} = 1` puts kind :math:`k` there.
For each failing access rule :math:`r` (kind :math:`k_r`, threshold, share :math:`\sigma_r`)
and each cell :math:`i` it does not yet cover, :math:`y_{ri} \in [0, 1]` marks it covered;
:math:`a^r_{ij} = 1` when candidate :math:`j` reaches cell :math:`i` within the threshold on
the rule's street network; :math:`w_i` is the cell's population basis, :math:`W_d` the
district's and :math:`C_{rd}` what existing facilities already cover.

.. math::

    \min \; & \sum_j s_j \\
    \text{s.t.}\; & x_{kj} \le s_j \\
    & y_{ri} \le \sum_j a^r_{ij} x_{k_r j} && \forall r, i \\
    & \sum_{i \in d} w_i y_{ri} \ge \sigma_r W_d - C_{rd} && \forall r, d \\
    & \sum_{j \in d} x_{kj} \ge n_{kd} && \text{(count rules: shortfall in facilities)} \\
    & \sum_{j \in u} x_{kj} \ge n_{ku} && \text{(per-unit rules below district level)} \\
    & L_u \le \sum_{j \in u} s_j \le U_u && \text{(quotas: new sites per unit)} \\
    & s_j, x_{kj} \in \{0, 1\}, \; 0 \le y_{ri} \le 1

Count rules are those whose shortfall is a number of facilities: one per N residents,
one per unit, and the area-equivalent service radius (:math:`\sqrt{A/\pi N} \le R \iff
N \ge A/\pi R^2`). A per-unit rule read on townships or villages (「每个街道」) needs its
facilities *inside* each failing unit, so it gives one row per unit :math:`u`, not per
district. Quotas (``quotas=``) bound the new sites of each district or unit, e.g. at most
two per township, at least one per district. A second stage keeps the optimal number of sites and minimises
:math:`\sum x_{kj}`, so no kind is placed where it serves nothing. Rules no new site can fix (vehicles, beds, land per head, shares of
facilities with an attribute) are listed in :attr:`Proposal.other_actions` with their
shortfall.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp

from .assess import Assessment, assess
from .errors import InfeasibleError, SitingError
from .optimize.exact import HighsSession, relative_gap
from .optimize.models import MipModel
from .rules import STUDY_AREA, load_rules
from .study_area import StudyArea
from .unit_quotas import candidate_units, unit_rule_needs

#: Kinds of the packaged rules whose shortfall is a number of sites (each rule kind says so
#: itself through ``Rule.proposal()``; this tuple is kept for readers of older code).
COUNT_RULE_KINDS = ("facilities_per_population", "per_unit", "service_radius")


@dataclass
class Proposal:
    """New sites that close the gaps, with the assessment before and after.

    Attributes
    ----------
    sites
        One row per new site: ``site`` (order of addition, 1 = largest gain), ``kinds``
        (list), ``kinds_label``, ``district``, ``rules`` (ids served), ``newly_covered``
        (people first covered by this site, in order of addition), geometry.
    before, after
        Assessments without and with the new sites.
    curve
        Marginal-gain curve: share of the population basis covered per access rule and
        district after the first 0, 1, 2 … sites.
    solution
        ``objective`` (sites), ``bound``, ``gap``, ``status``, ``seconds``, ``method``, ``log``.
    alternatives
        Other site sets with the same number of sites (GeoDataFrames), if asked for.
    other_actions
        Failing rules that new sites cannot fix, with their shortfall.
    unmet
        With ``infeasible="relax"``: targets the candidates cannot meet (rule, district,
        people or facilities short).
    """

    sites: gpd.GeoDataFrame
    before: Assessment
    after: Assessment
    curve: pd.DataFrame
    solution: dict
    area_after: StudyArea
    alternatives: list[gpd.GeoDataFrame] = field(default_factory=list)
    other_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmet: pd.DataFrame = field(default_factory=pd.DataFrame)

    def summary(self, lang: str = "en") -> str:
        """The proposal in plain words (``lang`` "en" or "zh"): the sites, whom each newly
        covers per rule, the rules that now pass, and what no site can fix."""
        from .report.labels import check_lang
        from .report.wording import kind_name, unit_word

        zh = check_lang(lang) == "zh"
        s = self.solution
        status = {"optimal": "已证明最优", "time_limit": "达到时间上限", "feasible": "可行解"
                  }.get(s["status"], s["status"]) if zh else s["status"]
        lines = [f"新增 {len(self.sites)} 处设施（{status}，下界 {s['bound']:,.6g}，差距 "
                 f"{s['gap']:.2%}，用时 {s['seconds']:.2f} 秒，方法 "
                 f"{s['method'].replace('MIP', '混合整数规划').replace('heuristic', '启发式')}）。"
                 if zh else
                 f"{len(self.sites)} new sites ({s['status']}, bound {s['bound']:g}, "
                 f"gap {s['gap']:.2%}, {s['seconds']:.2f} s by {s['method']})."]
        if s.get("distances", "network") != "network":
            lines.append("距离：直线距离估算，高估可达性。" if zh else
                         f"Distances: {s['distances']}.")
        for _, row in self.sites.iterrows():
            by_rule = row.get("newly_covered_by_rule") or {}
            # a site for a count rule only (no catchment) covers nobody by an access measure
            if zh:
                covers = ("新覆盖 " + "，".join(f"{k} {v:,.0f} 人" for k, v in by_rule.items())
                          ) if by_rule else "计入设施数量"
                kinds = " + ".join(kind_name(k, "zh") for k in row["kinds"])
                lines.append(f"  第 {row['site']} 处：{row['district']} 的{kinds}，{covers}"
                             f"（{'、'.join(row['rules'])}）")
                continue
            covers = ("newly covers " + ", ".join(f"{v:,.0f} people for {k}"
                                                  for k, v in by_rule.items())) if by_rule \
                else "counts toward the number of facilities"
            lines.append(f"  site {row['site']}: {row['kinds_label']} in {row['district']}, "
                         f"{covers} ({', '.join(row['rules'])})")
        before = self.before.verdicts().set_index("rule_id")["passed"]
        after = self.after.verdicts().set_index("rule_id")["passed"]
        fixed = [r for r in before.index if before[r] is not None and not before[r]
                 and after.get(r) is not None and bool(after.get(r))]
        lines.append(f"选址后达标的规则：{'、'.join(fixed) or '无'}。" if zh else
                     f"Rules that now pass: {', '.join(fixed) or 'none'}.")
        if len(self.unmet):
            lines.append("所有候选点都无法满足：" + "；".join(
                f"{r.rule_id}（{r.district}）仍缺 {r.unmet:,.0f} {unit_word(r.unit, 'zh')}"
                for r in self.unmet.itertuples()) if zh else
                "Out of reach of every candidate: " + "; ".join(
                f"{r.rule_id} in {r.district} short {r.unmet:,.0f} {r.unit}"
                for r in self.unmet.itertuples()))
        if len(self.other_actions):
            lines.append("新增设施无法解决：" + "、".join(
                f"{r.rule_id}（缺 {r.shortfall:,.1f} {unit_word(r.shortfall_unit, 'zh')}）"
                for r in self.other_actions.itertuples()) if zh else
                "Not fixable by new sites: " + ", ".join(
                f"{r.rule_id} (short {r.shortfall:,.1f} {r.shortfall_unit})"
                for r in self.other_actions.itertuples()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        table = self.sites.drop(columns="geometry").to_html(index=False)
        return f"<pre>{self.summary()}</pre>{table}"


def default_candidates(area: StudyArea, modes: list[str], max_candidates: int = 1500,
                       seed: int = 0) -> gpd.GeoDataFrame:
    """Candidate sites where people live: populated cells' points, k-means-thinned if many,
    plus one point inside each district.

    Only points that reach every needed network within its snap distance are kept.
    """
    from .network.snap import snap_points
    from .optimize.candidates import kmeans_candidates

    cells = area.cells[area.cells["population"] > 0]
    if len(cells) > max_candidates:
        points = kmeans_candidates(cells, max_candidates, weights_col="population",
                                   random_state=seed)[["geometry"]]
    else:
        points = gpd.GeoDataFrame(geometry=cells.geometry.representative_point().to_numpy(),
                                  crs=area.crs)
    keep = np.ones(len(points), bool)
    for mode in modes:
        keep &= snap_points(area.network(mode), points.geometry.to_numpy(),
                            area.snap_distance[mode]).ok
    out = points[keep].assign(source="cells")
    # one point inside every district, so count rules (one per unit) can be met even where
    # nobody is recorded as living
    inside = gpd.GeoDataFrame(geometry=area.districts.geometry.representative_point().to_numpy(),
                              crs=area.crs).assign(source="district")
    keep = np.ones(len(inside), bool)
    for mode in modes:
        keep &= snap_points(area.network(mode), inside.geometry.to_numpy(),
                            area.snap_distance[mode]).ok
    return pd.concat([out, inside[keep]], ignore_index=True)


def coverage_problem(area: StudyArea, kind: str, mode: str, cutoff: str | float,
                     candidates: gpd.GeoDataFrame | None = None, *,
                     capacity_rule: object = None, basis: str = "population",
                     max_candidates: int = 1500, seed: int = 0):
    """A :class:`siting.optimize.CoverageProblem` from network travel in the study area.

    Candidates (default: :func:`default_candidates`) come after the existing facilities of
    ``kind``, which are fixed (always open). Demand is the cells' ``basis`` population.

    Parameters
    ----------
    capacity_rule
        A facilities-per-population rule (e.g. SH16-16: one community health centre per
        50,000–100,000 residents): every site, existing or new, then serves at most the band's
        upper bound, for the capacitated model (``solve(problem, "capacitated", ...)``).
    """
    from .optimize import CoverageProblem

    existing = area.facilities_of(kind)
    if candidates is None:
        candidates = default_candidates(area, [mode], max_candidates, seed)
    sites = pd.concat([existing[["geometry"]].assign(source="existing"),
                       area._sources(candidates)[["geometry"]].assign(source="candidate")],
                      ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=area.crs)
    reach = area.reach(sites, mode, cutoff)
    capacity = None
    if capacity_rule is not None:
        if getattr(capacity_rule, "kind", None) != "facilities_per_population":
            raise SitingError("capacity_rule", getattr(capacity_rule, "id", capacity_rule),
                              "capacity comes from a facilities-per-population rule",
                              "pass a rule like SH16-16 (one facility per N people)")
        capacity = np.full(len(sites), float(capacity_rule.per.high.value))
    return CoverageProblem.from_cost_matrix(
        reach.matrix(), area.cells[basis].to_numpy(float), layout="candidate_by_demand",
        fixed=np.arange(len(existing)), capacity=capacity,
        candidate_ids=[f"existing {i}" for i in existing.index] +
                      [f"candidate {i}" for i in range(len(sites) - len(existing))])


def _first_kind(rule) -> str:
    kinds = rule.facility if isinstance(rule.facility, tuple) else (rule.facility,)
    return kinds[0]


@dataclass
class _AccessBlock:
    rule_id: str
    kind: str
    reach: sp.csr_array          # candidates × cells (bool)
    weights: np.ndarray          # per cell
    covered_before: np.ndarray   # per cell, bool
    groups: list[tuple[str, np.ndarray, float]]  # (district, cell mask, share)
    distances: str = "network"   # how reach was measured, stated on every output


def _access_block(area: StudyArea, rule, candidates: gpd.GeoDataFrame,
                  before: Assessment, straight_line: bool = False,
                  detour: float = 1.0) -> _AccessBlock:
    # what the rule's kind says a coverage block is (Rule.proposal), not its attributes
    spec = rule.proposal()
    kinds = list(spec.kinds)
    kind = kinds[0]
    weights = rule.basis_by_cell(area)[0].to_numpy(float)
    by = "time" if spec.threshold.dimension == "time" else "length"
    existing = area.facilities_of(kinds)
    distances = "network"
    if spec.mode not in area.networks and straight_line and by == "length":
        from .network.straight import straight_line_reach
        from .rules.base import straight_line_nearest

        # the same straight-line reading assess(straight_line=True) gave the rule
        covered = (straight_line_nearest(area, existing, spec.threshold, detour=detour)
                   ["status"] == "reached").to_numpy()
        source, target = straight_line_reach(candidates, area.cells, spec.threshold.value,
                                             detour=detour)
        distances = f"straight line × {detour:g} (no {spec.mode} network): overstates access"
        matrix = sp.csr_array((np.ones(len(source)), (source, target)),
                              shape=(len(candidates), len(area.cells)))
    else:
        area.network(spec.mode)  # a clear NetworkError when the mode has no network
        if len(existing):
            nearest = area.nearest(kinds, spec.mode, spec.threshold, by=by,
                                   direction=spec.direction)
            covered = (nearest["status"] == "reached").to_numpy()
        else:
            covered = np.zeros(len(area.cells), bool)
        reach = area.reach(candidates, spec.mode, spec.threshold, by=by)
        matrix = sp.csr_array((np.ones(reach.n_pairs), (reach.source, reach.target)),
                              shape=(len(candidates), len(area.cells)))
    rows = before.top[(before.top["rule_id"] == rule.id) & (before.top["passed"] == False)]  # noqa: E712
    district = area.cells["district"].to_numpy()
    if rule.decided_at == "area":
        in_scope = np.isin(district, before.top.loc[before.top["rule_id"] == rule.id, "district"])
        groups = [("(all)", in_scope, spec.share)]
    else:
        groups = [(d, district == d, spec.share) for d in rows["district"]]
    return _AccessBlock(rule.id, kind, matrix, weights, covered, groups, distances)


def _reason(rule, lang: str) -> str:
    if rule is None:
        return ""
    if rule.proposal() is not None:  # a count or coverage rule whose shortfall is not sites
        return {"zh": "缺口不是站点数", "en": "the shortfall is not a number of sites"}[lang]
    return rule.cannot_propose.get(lang, "")


def _is_count(rule) -> bool:
    block = rule.proposal() if rule is not None else None
    return block is not None and block.how == "count"


def _count_needs(before: Assessment, rules_by_id: dict) -> pd.DataFrame:
    """Facilities short per (kind, district); ``within``: the districts the sites may go to.

    A rule decided for the whole study area has one deciding row ("(study area)"): its
    shortfall is placed in the districts that fall short alone (the diagnostics), where the
    new sites help most, or anywhere in scope when those districts hold too few candidates
    (``_build_model`` then widens to ``scope``).
    """
    top = before.top
    counted = [i for i in top["rule_id"].unique() if _is_count(rules_by_id.get(i))]
    rows = top[(top["passed"] == False) & (top["shortfall_unit"] == "facilities")  # noqa: E712
               & top["rule_id"].isin(counted) & (top["shortfall"] > 0)]
    columns = ["kind", "district", "need", "rule_id", "within", "scope"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = rows.assign(kind=[list(rules_by_id[r].proposal().kinds)[0] for r in rows["rule_id"]])
    need = rows.groupby(["kind", "district"], as_index=False).agg(
        need=("shortfall", lambda v: int(np.ceil(v.max()))), rule_id=("rule_id", list))
    within, scope = [], []
    for item in need.itertuples():
        if item.district != STUDY_AREA:
            within.append((item.district,))
            scope.append((item.district,))
            continue
        diag = top[top["rule_id"].isin(item.rule_id) & (top["district"] != STUDY_AREA)]
        short = diag[pd.to_numeric(diag["shortfall"], errors="coerce").fillna(0) > 0]
        scope.append(tuple(diag["district"].astype(str).unique()))
        within.append(tuple(short["district"].astype(str).unique()) or scope[-1])
    return need.assign(within=within, scope=scope)


def propose(area: StudyArea, rules: object = None, *, assessment: Assessment | None = None,
            candidates: gpd.GeoDataFrame | None = None, max_candidates: int = 1500,
            time_limit: float | None = 60.0, seed: int = 0, threads: int = 1,
            alternatives: int = 0, infeasible: str = "raise", straight_line: bool = False,
            detour: float = 1.0, quotas: object = None,
            quota_units: gpd.GeoDataFrame | None = None,
            units: dict | None = None) -> Proposal:
    """The fewest new sites (co-locating kinds) so that every failing site rule passes.

    Parameters
    ----------
    area
        The study area.
    rules
        Anything :func:`siting.load_rules` takes (``None``: every catalogue).
    assessment
        A ready assessment of ``area`` against ``rules`` (computed when omitted).
    candidates
        Candidate sites (points: parcels, idle public buildings...). Default: populated
        cells, thinned by population-weighted k-means to ``max_candidates``.
    time_limit, seed, threads
        HiGHS settings. A time-limited answer reports its real gap, never "optimal".
    alternatives
        How many other site sets with the same number of sites to look for.
    infeasible
        ``"raise"`` (default): a target no choice of candidates can meet is an error.
        ``"relax"``: such targets are lowered to what the candidates can reach, and listed
        in :attr:`Proposal.unmet` with the people left out (batch reports use this).
    straight_line, detour
        As :func:`siting.assess`: where the study area has no network for a rule's mode,
        length thresholds are read along straight lines × ``detour`` (candidates' reach too).
        The method is stated in ``solution["distances"]``, the summary and the curve.
        A rule that cannot be proposed for (no network and no straight-line reading) is
        listed in :attr:`Proposal.other_actions` with the reason; the others go on.
    quotas
        At least / at most so many new sites per unit: a table (DataFrame or list of dicts)
        with columns ``unit``, ``at_least``, ``at_most`` (empty = no bound). Units are the
        districts, or the polygons of ``quota_units``.
    quota_units
        Polygons (a ``name`` or ``unit`` column) the quota units refer to, e.g. townships;
        a candidate belongs to the polygon it lies in.

    units
        Unit layers for per-unit rules, as :func:`siting.assess` takes them
        (``{"township": gdf}``); used by the assessments before and after.

    Per-unit rules on a finer level than districts (``PerUnitRule(level="township")``)
    need their missing facilities inside each failing unit; the model places them there.

    Raises
    ------
    InfeasibleError
        A district's target cannot be met by any choice of candidates; the message lists the
        districts and the people no candidate reaches, and how to fix it.
    """
    ruleset = list(load_rules(rules)) if not isinstance(rules, list) or not rules or \
        not hasattr(rules[0], "evaluate") else rules
    before = assessment if assessment is not None else assess(
        area, ruleset, straight_line=straight_line, detour=detour, units=units)
    rules_by_id = {r.id: r for r in ruleset}
    verdicts = before.verdicts().set_index("rule_id")
    failing = [r for r in ruleset if r.checkable and r.id in verdicts.index
               and verdicts.at[r.id, "passed"] is not None
               and not bool(verdicts.at[r.id, "passed"])]
    # each rule kind says how new sites fix it (Rule.proposal): coverage blocks here, counts
    # in _count_needs, the rest to other_actions with the kind's reason
    access_rules = [r for r in failing if r.proposal() is not None
                    and r.proposal().how == "coverage"]
    needs = _count_needs(before, rules_by_id)
    unit_rules = [r for r in failing if r.kind == "per_unit"
                  and getattr(r, "level", "district") != "district"
                  and "units" in getattr(before.results.get(r.id), "details", {})]
    site_rule_ids = {r.id for r in access_rules} | {i for ids in needs["rule_id"] for i in ids}
    site_rule_ids |= {r.id for r in unit_rules}
    other = before.overall[before.overall["rule_id"].isin(
        [r.id for r in failing if r.id not in site_rule_ids])]
    other_actions = other[["rule_id", "kind", "shortfall", "shortfall_unit", "note"]] \
        if len(other) else pd.DataFrame(columns=["rule_id", "kind", "shortfall",
                                                 "shortfall_unit", "note"])
    # why no site fixes it, as the rule's kind says (zh and en)
    other_actions = other_actions.assign(
        reason=[_reason(rules_by_id.get(i), "en") for i in other_actions["rule_id"]],
        reason_zh=[_reason(rules_by_id.get(i), "zh") for i in other_actions["rule_id"]])

    modes = sorted({r.proposal().mode for r in access_rules}) or [m for m in ("walk", "drive")
                                                        if m in area.networks][:1]
    if candidates is None:
        candidates = default_candidates(area, [m for m in modes if m in area.networks],
                                        max_candidates, seed)
    else:
        candidates = area._sources(candidates).reset_index(drop=True)
    if len(candidates) == 0:
        raise SitingError("candidates", 0, "no candidate sites", "pass candidates= points "
                          "(parcels, public buildings) near the people to serve")
    candidates = candidates.assign(district=area._district_of(candidates).to_numpy())
    unit_needs = unit_rule_needs(before, unit_rules, candidates)
    site_quotas = None
    if quotas is not None:
        from .optimize.quotas import Quotas

        labels = candidates["district"].to_numpy(dtype=object) if quota_units is None else \
            candidate_units(candidates, quota_units)
        site_quotas = Quotas.from_table(labels, quotas).rows_for(np.zeros(len(candidates),
                                                                          dtype=bool))

    blocks, cannot = [], []
    for r in access_rules:
        try:
            blocks.append(_access_block(area, r, candidates, before, straight_line, detour))
        except SitingError as exc:  # one rule that cannot be proposed for never stops the rest
            cannot.append({"rule_id": r.id, "kind": r.kind, "shortfall": np.nan,
                           "shortfall_unit": "", "note": f"no proposal: {exc}"})
    if cannot:
        other_actions = pd.concat([other_actions, pd.DataFrame(cannot)], ignore_index=True)
    distances = "; ".join(sorted({f"{b.rule_id}: {b.distances}" for b in blocks
                                  if b.distances != "network"})) or "network"
    kinds = sorted({b.kind for b in blocks} | set(needs["kind"]) | set(unit_needs["kind"]))
    if not kinds:
        empty = candidates.iloc[:0].assign(site=[], kinds=[], kinds_label=[], rules=[],
                                           newly_covered=[])
        return Proposal(empty, before, before, pd.DataFrame(), {
            "objective": 0, "bound": 0, "gap": 0.0, "status": "optimal", "seconds": 0.0,
            "method": "nothing to fix", "log": "", "distances": distances}, area, [],
            other_actions)
    if infeasible not in ("raise", "relax"):
        raise SitingError("infeasible", infeasible, "unknown choice", "use 'raise' or 'relax'")
    model, layout, unmet = _build_model(candidates, kinds, blocks, needs,
                                        relax=infeasible == "relax", unit_needs=unit_needs,
                                        quotas=site_quotas)
    n_sites = len(candidates)
    with HighsSession(model, time_limit=time_limit, seed=seed, threads=threads) as session:
        run = session.run()
        if run.status == "infeasible" or run.col_value is None:
            raise InfeasibleError("targets", run.status, "the solver found no way to meet the "
                                  "targets with these candidates",
                                  "add candidate sites or relax the rules")
        runs = [run]
        for _ in range(alternatives):
            chosen = np.flatnonzero(runs[-1].col_value[:n_sites] > 0.5)
            session.add_no_good(chosen.astype(np.int32))
            extra = session.run()
            if extra.col_value is None or extra.objective > run.objective + 0.5:
                break
            runs.append(extra)
    if run.status == "optimal":
        # second stage: same number of sites, fewest facilities (no kind placed in vain)
        tidy_model = _fewest_facilities_model(model, n_sites, len(kinds), run.objective)
        # same limit as the first stage: a finished (optimal) tidy-up is reproducible
        with HighsSession(tidy_model, time_limit=time_limit, seed=seed,
                          threads=threads) as tidy_session:
            tidy_session.set_start(run.col_value)
            tidy = tidy_session.run()
        if tidy.col_value is not None and round(tidy.col_value[:n_sites].sum()) == \
                round(run.objective):
            run.col_value = tidy.col_value
        tidy_status = tidy.status
    else:
        tidy_status = "skipped (first stage not optimal)"
    sites = _decode(run.col_value, candidates, kinds, blocks, needs, layout)
    area_after = _with_sites(area, sites)
    after = assess(area_after, ruleset, straight_line=straight_line, detour=detour,
                   units=units)
    alts = [_decode(r.col_value, candidates, kinds, blocks, needs, layout) for r in runs[1:]]
    site_bound = float(np.ceil(run.bound - 1e-6)) if np.isfinite(run.bound) else float("nan")
    solution = {"objective": float(len(sites)), "bound": site_bound,
                "gap": relative_gap(len(sites), site_bound) if np.isfinite(site_bound)
                else float("nan"),
                "status": run.status, "seconds": run.seconds, "method": "HiGHS MIP",
                "log": run.log, "candidates": len(candidates), "distances": distances,
                "facilities_stage_status": tidy_status}
    return Proposal(sites, before, after, _curve(sites, blocks, area), solution, area_after,
                    alts, other_actions.reset_index(drop=True),
                    pd.DataFrame(unmet, columns=["rule_id", "district", "unmet", "unit"]))


def _build_model(candidates: gpd.GeoDataFrame, kinds: list[str], blocks: list[_AccessBlock],
                 needs: pd.DataFrame, relax: bool = False, unit_needs: pd.DataFrame | None = None,
                 quotas: object = None) -> tuple[MipModel, dict, list]:
    n_j, n_k = len(candidates), len(kinds)
    kind_pos = {k: i for i, k in enumerate(kinds)}
    x0 = n_j  # x_{kj} at x0 + k * n_j + j
    n_cols = n_j + n_k * n_j
    rows, lower, upper = [], [], []
    infeasible, unmet = [], []
    # x_kj - s_j <= 0
    link = sp.hstack([-sp.vstack([sp.eye_array(n_j)] * n_k), sp.eye_array(n_k * n_j)],
                     format="csr")
    rows.append(link)
    lower.append(np.full(n_k * n_j, -np.inf))
    upper.append(np.zeros(n_k * n_j))
    y_blocks = []
    for block in blocks:
        open_cells = (~block.covered_before) & (block.weights > 0)
        reachable = np.asarray(block.reach.sum(axis=0)).ravel() > 0
        cells = np.flatnonzero(open_cells & reachable)
        y_blocks.append((block, cells))
    n_y = sum(len(c) for _, c in y_blocks)
    total_cols = n_cols + n_y
    y0 = n_cols
    y_must = np.zeros(n_y, bool)
    for block, cells in y_blocks:
        k = kind_pos[block.kind]
        a = block.reach[:, cells].T.tocsr()  # cells × candidates
        n_c = len(cells)
        cover = sp.hstack([sp.csr_array((n_c, x0 + k * n_j)), -a,
                           sp.csr_array((n_c, total_cols - x0 - (k + 1) * n_j))], format="csr")
        ident = sp.csr_array((np.ones(n_c), (np.arange(n_c), y0 + np.arange(n_c))),
                             shape=(n_c, total_cols))
        rows.append(cover + ident)
        lower.append(np.full(n_c, -np.inf))
        upper.append(np.zeros(n_c))
        for district, mask, share in block.groups:
            total = float(block.weights[mask].sum())
            have = float(block.weights[mask & block.covered_before].sum())
            needed = share * total - have
            in_group = mask[cells]
            can = float(block.weights[cells][in_group].sum())
            if needed > can + 1e-6 * max(total, 1):
                lost = mask & ~block.covered_before & ~np.isin(np.arange(len(mask)), cells)
                infeasible.append(f"{block.rule_id} in {district}: needs {needed:,.0f} more "
                                  f"people covered, candidates reach only {can:,.0f} "
                                  f"({block.weights[lost].sum():,.0f} people out of reach)")
                unmet.append((block.rule_id, district, needed - can, "people"))
                if not relax:
                    continue
                needed = can
            if needed <= 0:
                continue
            if needed >= can - 1e-9 * max(total, 1):
                # every coverable cell must be covered: bounds, not a knife-edge row that
                # MIP presolve can round into "infeasible"
                y_must[y0 - n_cols + np.flatnonzero(in_group)] = True
                continue
            row = sp.csr_array((block.weights[cells][in_group],
                                (np.zeros(int(in_group.sum()), int),
                                 y0 + np.flatnonzero(in_group))), shape=(1, total_cols))
            rows.append(row)
            lower.append(np.array([needed - 1e-9 * max(total, 1)]))
            upper.append(np.array([np.inf]))
        y0 += n_c
    district = candidates["district"].to_numpy()
    def at_least(kind: str, members: np.ndarray, need: int) -> None:
        """Row: at least ``need`` (or every member, when fewer) new ``kind`` among ``members``."""
        cols = x0 + kind_pos[kind] * n_j + members
        rows.append(sp.csr_array((np.ones(len(cols)), (np.zeros(len(cols), int), cols)),
                                 shape=(1, total_cols)))
        lower.append(np.array([float(min(need, len(members)))]))
        upper.append(np.array([np.inf]))

    for need in needs.itertuples():
        members = np.flatnonzero(np.isin(district, need.within))
        if len(members) < need.need:
            members = np.flatnonzero(np.isin(district, need.scope))
        if len(members) < need.need:
            infeasible.append(f"{need.kind} in {need.district}: needs {need.need} new "
                              f"facilities, only {len(members)} candidate sites lie there")
            for rule_id in need.rule_id:
                unmet.append((rule_id, need.district, need.need - len(members), "facilities"))
            if not relax or len(members) == 0:
                continue
        at_least(need.kind, members, need.need)
    for need in (unit_needs.itertuples() if unit_needs is not None else ()):
        members = need.members
        if len(members) < need.need:
            infeasible.append(f"{need.kind} in {need.unit} ({need.district}): needs "
                              f"{need.need} new facilities, only {len(members)} candidate "
                              "sites lie there")
            unmet.append((need.rule_id, f"{need.unit} ({need.district})",
                          need.need - len(members), "facilities"))
            if not relax or len(members) == 0:
                continue
        at_least(need.kind, members, need.need)
    if quotas is not None:
        # an open site hosts a facility: s_j - sum_k x_kj <= 0 (a quota counts real sites)
        rows.append(sp.hstack([sp.eye_array(n_j), -sp.hstack([sp.eye_array(n_j)] * n_k)],
                              format="csr"))
        lower.append(np.full(n_j, -np.inf))
        upper.append(np.zeros(n_j))
        # new sites per unit (s_j columns): L_u <= sum s_j <= U_u
        for members, lo, hi in zip(quotas.members, quotas.lower, quotas.upper):
            rows.append(sp.csr_array((np.ones(len(members)),
                                      (np.zeros(len(members), int), members)),
                                     shape=(1, total_cols)))
            lower.append(np.array([float(lo)]))
            upper.append(np.array([float(hi) if hi < len(candidates) else np.inf]))
    if infeasible and not relax:
        raise InfeasibleError(
            "targets", infeasible[:10], f"{len(infeasible)} targets cannot be met by any "
            "choice of the candidate sites", "add candidate sites (parcels, public buildings) "
            "where those people live, or lower the rule's share for now")
    padded = [r if r.shape[1] == total_cols else sp.hstack(
        [r, sp.csr_array((r.shape[0], total_cols - r.shape[1]))], format="csr") for r in rows]
    matrix = sp.csc_array(sp.vstack(padded, format="csc"))
    matrix.sort_indices()
    cost = np.concatenate([np.ones(n_j), np.zeros(n_k * n_j), np.zeros(n_y)])
    integrality = np.concatenate([np.ones(n_cols, np.int32), np.zeros(n_y, np.int32)])
    col_lower = np.concatenate([np.zeros(n_cols), y_must.astype(float)])
    model = MipModel(name="propose", sense="min", col_cost=cost, col_lower=col_lower,
                     col_upper=np.ones(total_cols), integrality=integrality, matrix=matrix,
                     row_lower=np.concatenate(lower), row_upper=np.concatenate(upper),
                     offset=0.0, cand=np.arange(n_j), integral_objective=True)
    return model, {"x0": x0, "n_j": n_j, "unit_needs": unit_needs}, unmet


def _fewest_facilities_model(model: MipModel, n_sites: int, n_kinds: int,
                             sites: float) -> MipModel:
    """The proposal model with the number of sites capped at the optimum and the facilities
    placed on them (the x columns) as the objective."""
    n_cols = model.matrix.shape[1]
    cap = sp.csc_array((np.ones(n_sites), (np.zeros(n_sites, int), np.arange(n_sites))),
                       shape=(1, n_cols))
    cost = np.zeros(n_cols)
    cost[n_sites:n_sites + n_kinds * n_sites] = 1.0
    matrix = sp.csc_array(sp.vstack([model.matrix, cap], format="csc"))
    matrix.sort_indices()
    return dataclasses.replace(model, name="propose-tidy", col_cost=cost, matrix=matrix,
                               row_lower=np.append(model.row_lower, -np.inf),
                               row_upper=np.append(model.row_upper, float(round(sites))))


def _decode(col: np.ndarray, candidates: gpd.GeoDataFrame, kinds: list[str],
            blocks: list[_AccessBlock], needs: pd.DataFrame, layout: dict) -> gpd.GeoDataFrame:
    n_j = layout["n_j"]
    x = col[layout["x0"]:layout["x0"] + len(kinds) * n_j].reshape(len(kinds), n_j) > 0.5
    opened = np.flatnonzero(x.any(axis=0))
    site_kinds = {j: [kinds[k] for k in np.flatnonzero(x[:, j])] for j in opened}
    # order of addition: greedy by people newly covered, counting each person once
    gains, gains_by_rule = {}, {}
    covered = [b.covered_before.copy() for b in blocks]
    order = []
    remaining = list(opened)
    while remaining:
        best, best_gain = remaining[0], -1.0
        for j in remaining:
            gain = sum(float(b.weights[(b.reach[[j], :].toarray().ravel() > 0) & ~cov].sum())
                       for b, cov in zip(blocks, covered) if b.kind in site_kinds[j])
            if gain > best_gain:
                best, best_gain = j, gain
        per_rule = {}
        for b, cov in zip(blocks, covered):
            if b.kind in site_kinds[best]:
                new = (b.reach[[best], :].toarray().ravel() > 0) & ~cov
                # people first reached by this site, per access rule (its page and tables)
                per_rule[b.rule_id] = per_rule.get(b.rule_id, 0.0) + float(b.weights[new].sum())
                cov |= new
        gains[best] = best_gain
        gains_by_rule[best] = per_rule
        order.append(best)
        remaining.remove(best)
    served = []
    for j in order:
        ids = [b.rule_id for b in blocks if b.kind in site_kinds[j]
               and b.reach[[j], :].nnz > 0]
        for need in needs.itertuples():
            if need.kind in site_kinds[j] and candidates["district"].iloc[j] in need.scope:
                ids.extend(need.rule_id)
        unit_needs = layout.get("unit_needs")
        for need in (unit_needs.itertuples() if unit_needs is not None else ()):
            if need.kind in site_kinds[j] and j in need.members:
                ids.append(need.rule_id)
        served.append(sorted(set(ids)))
    sites = candidates.iloc[order].reset_index(drop=True)
    sites.insert(0, "site", np.arange(1, len(order) + 1))
    sites["kinds"] = [site_kinds[j] for j in order]
    sites["kinds_label"] = [" + ".join(site_kinds[j]) for j in order]
    sites["rules"] = served
    sites["newly_covered"] = [gains[j] for j in order]
    sites["newly_covered_by_rule"] = [gains_by_rule[j] for j in order]
    sites["candidate"] = order
    return sites


def _with_sites(area: StudyArea, sites: gpd.GeoDataFrame) -> StudyArea:
    rows = sites[["kinds", "geometry"]].explode("kinds").rename(columns={"kinds": "kind"})
    new = gpd.GeoDataFrame(rows.assign(name=[f"proposed site {s}" for s in
                                             sites.loc[rows.index, "site"]], proposed=True),
                           geometry="geometry", crs=area.crs)
    existing = area.facilities.drop(columns=["district"]).assign(proposed=False)
    facilities = gpd.GeoDataFrame(pd.concat([existing, new], ignore_index=True),
                                  geometry="geometry", crs=area.crs)
    cells = area.cells.drop(columns=["district"])
    return StudyArea(area.districts, cells, facilities, area.networks, crs=area.crs,
                     snap_distance=area.snap_distance)


def _curve(sites: gpd.GeoDataFrame, blocks: list[_AccessBlock], area: StudyArea) -> pd.DataFrame:
    district = area.cells["district"].to_numpy()
    kinds, candidates = sites["kinds"].tolist(), sites["candidate"].to_numpy(dtype=int)
    rows = []
    for block in blocks:
        # the people covered after each step, one column per step, summed per district in
        # one groupby (per column the same sums as one groupby per step)
        covered = block.covered_before.copy()
        columns = {"w": block.weights}
        for step in range(len(sites) + 1):
            if step > 0 and block.kind in kinds[step - 1]:
                covered = covered | (block.reach[[int(candidates[step - 1])], :].toarray()
                                     .ravel() > 0)
            columns[step] = np.where(covered, block.weights, 0.0)
        summed = pd.DataFrame(columns).groupby(district).sum()
        names = summed.index.tolist() + ["(all)"]
        w = summed["w"].to_numpy()
        for step in range(len(sites) + 1):
            c = summed[step].to_numpy()
            # the "(all)" row: the district sums added in order, as DataFrame.sum of the
            # groupby result did (the same digits as before)
            all_w, all_c = _sequential_sum(w), _sequential_sum(c)
            for name, wi, ci in zip(names, list(w) + [all_w], list(c) + [all_c]):
                rows.append({"rule_id": block.rule_id, "sites": step, "district": name,
                             "covered_share": ci / wi if wi > 0 else np.nan,
                             "distances": block.distances})
    return pd.DataFrame(rows)


def _sequential_sum(values: np.ndarray) -> float:
    total = 0.0
    for v in values.tolist():
        total += v
    return total
