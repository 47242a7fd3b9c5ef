"""The ``siting`` command: demo, rules list/show, check CONFIG, report CONFIG.

Exit status: 0 done; 1 a report finished but some districts failed (listed in the index);
2 bad input (configuration, rule id, file), with one message naming the key and the fix.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd

#: The demo's rules (also in ``examples/town.yaml``): GB 50180 walking radii of kindergartens
#: and schools, and a 15-minute walk to a sports ground (the town has one school, tagged as a
#: generic school, and sports grounds rather than community courts; the overrides say so).
DEMO_RULES: list[object] = [
    "GB50180-KG",
    {"id": "GB50180-PS", "facility": "school",
     "name": "School within 500 m walk (GB 50180 primary-school radius)",
     "name_zh": "学校步行500米可达（GB 50180 小学服务半径）"},
    # the example town is not a 主城区: the demo applies the share to all of it explicitly
    {"id": "SH21-02-sports", "facility": "sports_ground", "scope": "all",
     "name": "85 % within a 15-minute walk of a sports ground",
     "name_zh": "体育场地15分钟步行可达覆盖率85%"},
]


def verdict_table(assessment, max_rules: int = 8, lang: str = "en") -> pd.DataFrame:
    """District × rule: ``✓ 92.0 %`` / ``✗ 1.3 %`` / ``· –`` (readings with their units)."""
    from .report.wording import unit_word

    top = assessment.top
    if not len(top):
        return pd.DataFrame()
    rule_ids = list(dict.fromkeys(top["rule_id"]))[:max_rules]

    def cell(row: pd.Series) -> str:
        from .units import format_value

        mark = "·" if pd.isna(row["passed"]) else ("✓" if bool(row["passed"]) else "✗")
        unit = row["unit"]
        # thousands separators, no scientific notation, "—" for a missing reading
        shown = unit if unit == "share" else unit_word(unit, lang)
        return f"{mark} {format_value(row['reading'], shown)}"

    from .units import MISSING

    shown = top[top["rule_id"].isin(rule_ids)].assign(text=lambda t: t.apply(cell, axis=1))
    table = shown.pivot_table(index="district", columns="rule_id", values="text",
                              aggfunc="first", sort=False)
    from .report.sheets import STUDY_AREA_WORD
    from .rules.base import STUDY_AREA

    # a district out of a rule's scope, or a district rule in the (study area) row: no cell
    table = table.reindex(columns=rule_ids).fillna(MISSING)
    table = table.rename(index={STUDY_AREA: STUDY_AREA_WORD[lang]})
    table.index.name = "区域" if lang == "zh" else "district"
    table.columns.name = "规则" if lang == "zh" else "rule_id"
    return table


def _print_table(table: pd.DataFrame) -> None:
    with pd.option_context("display.max_rows", 300, "display.width", 200,
                           "display.max_colwidth", 60):
        print(table.to_string())


# ---------------------------------------------------------------------------------------------
def _demo(args: argparse.Namespace) -> int:
    from .access import access_table
    from .assess import assess
    from .config import rules_from_spec
    from .datasets import ATTRIBUTION, load_example
    from .report import ReportOptions, proposals_by_propose, write_reports

    from .report.batch import check_out_dir

    start = time.perf_counter()
    out = check_out_dir(args.out, field="--out")
    from .report.check_text import HEADINGS, area_line, summary_text

    zh = args.lang == "zh"
    area = load_example(args.example)
    print(area_line(area, "zh") if zh else area)
    rules = rules_from_spec(DEMO_RULES, where="demo")
    assessment = assess(area, rules)
    print()
    print(summary_text(assessment, "zh") if zh else assessment.summary())
    print("\n" + HEADINGS["zh"]["grid"] if zh else
          "\nDistrict × rule (✓ passes, ✗ fails; the reading is the share of residents covered)")
    _print_table(verdict_table(assessment, lang=args.lang))

    out.mkdir(parents=True, exist_ok=True)
    table = access_table(area, mode="walk", thresholds=(300, 500, 1000))
    table.to_csv(out / "walk_access.csv", index=False)
    result = write_reports(area, rules, out, options=ReportOptions(
        title=f"siting 示例：{args.example}" if zh else f"siting demo: {args.example}",
        lang=args.lang, tiles="OpenStreetMap",
        offline=True, proposals=proposals_by_propose(time_limit=10)),
        force=args.force, progress=not args.quiet)
    elapsed = time.perf_counter() - start
    if zh:
        print(f"\n报告已写入 {out}/：index.html（各区域按缺口排名）、summary.csv、summary.xlsx、"
              f"gaps.gpkg（含拟新建设施）、districts/<区域>/（页面与地图）、walk_access.csv，"
              f"用时 {elapsed:.1f} 秒。地图数据 © OpenStreetMap 贡献者（ODbL）。")
    else:
        print(f"\nWrote the report to {out}/: index.html (districts ranked by shortfall), "
              f"summary.csv, summary.xlsx, gaps.gpkg (with proposed sites), districts/<name>/ "
              f"(page and maps), "
              f"walk_access.csv — in {elapsed:.1f} s. Map data {ATTRIBUTION}.")
    return 1 if result.errors else 0


_LIST_HEADERS = {"zh": {"id": "编号", "document": "文件", "kind": "类型", "facility": "设施",
                        "requirement": "要求", "strength": "约束强度"},
                 "en": {"id": "id", "document": "document", "kind": "kind", "facility": "facility",
                        "requirement": "requirement", "strength": "strength"}}


def _clip(text: object, width: int) -> str:
    """``text`` cut to ``width`` display columns (a CJK character takes two), with "…"."""
    out, used = [], 0
    for ch in str(text):
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width - 1:
            return "".join(out) + "…"
        out.append(ch)
        used += w
    return "".join(out)


def _pad(text: str, width: int) -> str:
    used = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - used, 0)


def fit_table(table: pd.DataFrame, width: int, widths: dict[str, int]) -> str:
    """``table`` as text no wider than ``width``: the last column takes what is left."""
    columns = list(table.columns)

    def needed(column: str) -> int:  # the widest value or header, CJK counted as two
        texts = [str(column)] + [str(v) for v in table[column]]
        return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in t) + 1
                   for t in texts)

    # a column never takes more than its widest value, nor more than the cap given
    fixed = {c: min(widths.get(c, 12), needed(c)) for c in columns[:-1]}
    last = max(width - sum(fixed.values()) - 2 * (len(columns) - 1), 16)
    sizes = {**fixed, columns[-1]: last}
    lines = ["  ".join(_pad(_clip(c, sizes[c]), sizes[c]) for c in columns).rstrip()]
    for row in table.itertuples(index=False):
        lines.append("  ".join(_pad(_clip(v, sizes[c]), sizes[c])
                               for c, v in zip(columns, row)).rstrip())
    return "\n".join(lines)


def _rules_list(args: argparse.Namespace) -> int:
    from .rules import list_rules_table, load_rules

    rules = load_rules(*(args.catalog or []), domain=args.domain, facility=args.facility,
                       kind=args.kind, checkable=True if args.checkable else None)
    table = list_rules_table(rules)
    lang = args.lang or "en"
    if lang == "zh":
        # every value in words: names of kinds and facilities, not ids (the id column stays)
        from .report.wording import facility_words, kind_word, rule_name, rule_requirement
        from .report.wording import strength_word

        named = ("principle", "site_budget", "all_of", "any_of")
        table = table.assign(
            kind=[kind_word(r.kind, "zh") for r in rules],
            strength=[strength_word(r.strength, "zh") for r in rules],
            facility=[facility_words(r, "zh") for r in rules],
            requirement=[rule_name(r, "zh") if r.kind in named else rule_requirement(r, "zh")
                         for r in rules])
    # the id names its document (SH16-… is shanghai-2016): the requirement gets the room
    shown = table[["id", "kind", "strength", "facility", "requirement"]]
    shown = shown.rename(columns=_LIST_HEADERS[lang])
    width = args.width or shutil.get_terminal_size((120, 24)).columns
    heads = _LIST_HEADERS[lang]
    print(fit_table(shown, width, {heads["id"]: 14, heads["kind"]: 16, heads["strength"]: 12,
                                   heads["facility"]: 24}))
    print({"zh": f"\n共 {len(table)} 条规则。`siting rules show 编号` 显示单条规则及其出处。",
           "en": f"\n{len(table)} rules. `siting rules show ID` prints one with its source."}[lang])
    return 0


def _rules_show(args: argparse.Namespace) -> int:
    from .report.check_text import rule_text
    from .rules import load_rules

    for i, rule_id in enumerate(args.ids):
        rules = load_rules(rule_id)
        for rule in rules:
            if i:
                print()
            print(rule_text(rule, args.lang or "en"))
    return 0


def _check(args: argparse.Namespace) -> int:
    from .assess import assess
    from .config import load_config

    from .report.check_text import HEADINGS, area_line, summary_text
    from .report.wording import note_text

    config = load_config(args.config)
    if args.lang:
        config.outputs["lang"] = args.lang
    lang = config.outputs.get("lang", "zh")
    area = config.study_area()
    print(area_line(area, lang))
    assessment = assess(area, config.rules, **config.assess_options)
    print()
    print(summary_text(assessment, lang))
    print("\n" + HEADINGS[lang]["grid"])
    _print_table(verdict_table(assessment, lang=lang))
    if len(assessment.errors):
        print("\n" + HEADINGS[lang]["errors"])
        for _, row in assessment.errors.iterrows():
            print(f"  {row['rule_id']}: {note_text(row['message'], lang)}")
    return 0


def _propose(args: argparse.Namespace) -> int:
    from .assess import assess
    from .config import load_config
    from .propose import propose
    from .report.batch import check_out_dir

    config = load_config(args.config)
    check_out_dir(args.out, field="--out")  # before minutes of solving
    area = config.study_area()
    print(area)
    options = dict(config.assess_options)
    if args.straight_line:
        options["straight_line"] = True
    if args.detour is not None:
        options["detour"] = args.detour
    assessment = assess(area, config.rules, **options)
    settings = {"time_limit": 60.0, **(config.propose or {})}
    # the same distance reading as the assessment (straight lines where a network is missing)
    lines = {k: options[k] for k in ("straight_line", "detour") if k in options}
    proposal = propose(area, config.rules, assessment=assessment,
                       infeasible="relax" if args.relax else "raise",
                       alternatives=args.alternatives, **lines, **settings)
    print()
    print(proposal.summary(config.outputs.get("lang", "en")))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from .report.basemaps import tiles_system
    from .report.proposal_table import site_table

    # the columns of a report's proposed sites: order, coordinates (WGS-84 and the map's
    # system), address where the data has one, people newly covered per rule
    table = site_table(proposal.sites, area, config.rules,
                       system=tiles_system(config.outputs.get("tiles")))
    sites = table.assign(kinds=table["kinds"].map(", ".join),
                         rules=table["rules"].map(", ".join),
                         distances=proposal.solution.get("distances", "network"))
    sites.to_crs(4326).to_file(out / "proposed_sites.gpkg", layer="proposed_sites")
    sites.drop(columns="geometry").to_csv(out / "proposed_sites.csv", index=False)
    proposal.curve.to_csv(out / "marginal_gain.csv", index=False)
    proposal.after.table.to_csv(out / "assessment_after.csv", index=False)
    print(f"\nWrote proposed_sites.gpkg, proposed_sites.csv, marginal_gain.csv and "
          f"assessment_after.csv to {out}/")
    return 0


def _report(args: argparse.Namespace) -> int:
    from .batch import executor_for
    from .config import load_config
    from .errors import SitingError
    from .report import write_reports
    from .report.batch import check_out_dir

    config = load_config(args.config)
    out = Path(args.out) if args.out else config.out_dir
    if out is None:
        raise SitingError("--out", None, "no output folder",
                          "give --out DIR or outputs: {dir: ...} in the configuration")
    check_out_dir(out, field="--out")  # before any input is read
    options = config.report_options()
    if args.lang:
        options.lang = args.lang
    # every layer is read and checked before the output folder is created: a bad input
    # writes nothing
    start = time.perf_counter()
    inputs = config.batch_inputs()
    executor, close = executor_for(scheduler=args.scheduler, workers=args.workers)
    try:
        result = write_reports(inputs, config.rules, out, options=options, force=args.force,
                               progress=not args.quiet, districts=args.district or None,
                               executor=executor)
    finally:
        close()
    from .report.sheets import localise_frame

    lang = options.lang
    ranking = result.ranking[["rank", "district", "status", "population", "rules_failed",
                              "rules_evaluated", "worst_rule", "error"]].copy()
    ranking["population"] = ranking["population"].map(lambda v: f"{v:,.0f}")
    ranking["error"] = ranking["error"].fillna("")
    ranking = localise_frame(ranking, lang)
    _print_table(ranking.set_index(ranking.columns[0]))
    counts = pd.Series([o.status for o in result.outcomes]).value_counts()
    elapsed = time.perf_counter() - start
    if lang == "zh":
        done = "，".join(f"{ {'ok': '完成', 'error': '出错'}.get(k, k)} {v} 个"
                        for k, v in counts.items())
        print(f"\n共 {len(result.outcomes)} 个区域（{done}），用时 {elapsed:.1f} 秒 → "
              f"{out}/index.html")
    else:
        print(f"\n{len(result.outcomes)} district(s) {counts.to_dict()} in {elapsed:.1f} s → "
              f"{out}/index.html")
    for o in result.errors:
        print(f"  {'失败' if lang == 'zh' else 'FAILED'} {o.district}: {o.error}",
              file=sys.stderr)
    return 1 if result.errors else 0


# ---------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="siting", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="the whole chain on the embedded example (offline)")
    demo.add_argument("--out", default="siting-demo", help="output folder (default: siting-demo)")
    demo.add_argument("--example", default="town", choices=["town", "helsinki"])
    demo.add_argument("--lang", default="en", choices=["zh", "en"], help="map and page language")
    demo.add_argument("--force", action="store_true", help="redo districts already done")
    demo.add_argument("--quiet", action="store_true", help="no progress bar")
    demo.set_defaults(func=_demo)

    rules = sub.add_parser("rules", help="list the rule catalogues or show one rule")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    listing = rules_sub.add_parser("list", help="one line per rule")
    listing.add_argument("catalog", nargs="*", help="catalogue ids (default: all), e.g. "
                         "shanghai-2016")
    listing.add_argument("--domain")
    listing.add_argument("--facility")
    listing.add_argument("--kind")
    listing.add_argument("--checkable", action="store_true", help="checkable rules only")
    listing.add_argument("--lang", choices=["zh", "en"], help="column headers' language")
    listing.add_argument("--width", type=int, help="line width (default: the terminal's)")
    listing.set_defaults(func=_rules_list)
    show = rules_sub.add_parser("show", help="a rule with its source and caveats")
    show.add_argument("ids", nargs="+", help="rule ids, e.g. SH16-18")
    show.add_argument("--lang", choices=["zh", "en"], help="language (default en)")
    show.set_defaults(func=_rules_show)

    check = sub.add_parser("check", help="assess the rules of CONFIG and print the result")
    check.add_argument("config", help="run configuration (YAML), see examples/town.yaml")
    check.add_argument("--lang", choices=["zh", "en"])
    check.set_defaults(func=_check)

    prop = sub.add_parser("propose", help="the fewest new sites that make CONFIG's failing "
                          "rules pass")
    prop.add_argument("config", help="run configuration (YAML), see examples/town.yaml")
    prop.add_argument("--out", default="siting-proposal", help="output folder")
    prop.add_argument("--alternatives", type=int, default=0,
                      help="also look for this many other site sets of the same size")
    prop.add_argument("--relax", action="store_true",
                      help="lower targets no candidate can reach (listed) instead of failing")
    prop.add_argument("--straight-line", action="store_true",
                      help="where a mode has no network, read distance rules along straight "
                           "lines (overstates access; stated on every output)")
    prop.add_argument("--detour", type=float, default=None,
                      help="factor on straight-line distances (≥ 1; default from CONFIG)")
    prop.set_defaults(func=_propose)

    report = sub.add_parser("report", help="per-district pages, maps, CSV/XLSX/GPKG and an "
                            "index for CONFIG")
    report.add_argument("config", help="run configuration (YAML), see examples/town.yaml")
    report.add_argument("--out", help="output folder (default: outputs.dir of the config)")
    report.add_argument("--force", action="store_true", help="redo districts already done")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    report.add_argument("--lang", choices=["zh", "en"])
    report.add_argument("--district", action="append",
                        help="only this district (repeat for several)")
    report.add_argument("--workers", type=int, default=None,
                        help="local worker processes (default: all cores; 1 = no pool)")
    report.add_argument("--scheduler", default=None,
                        help="Dask scheduler address, or 'local' for a LocalCluster of "
                             "--workers processes")
    report.set_defaults(func=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .errors import SitingError

    langs = _error_langs(args)
    try:
        return args.func(args)
    except SitingError as exc:  # validated input: the message already teaches
        for lang in langs:
            print(_ERROR_PREFIX[lang] + exc.message(lang), file=sys.stderr)
        return 2
    except OSError as exc:  # a file or folder the run needs (disk full, read-only, gone)
        if isinstance(exc, BrokenPipeError):
            sys.stderr.close()  # `siting rules list | head`: the reader left, not an error
            return 0
        where = exc.filename or "a file"
        texts = {"zh": f"{where}：{exc.strerror or exc}。修改方法：请确认文件夹存在、可写且磁盘有"
                       "空间，然后重新运行（已完成的行政区会保留）",
                 "en": f"{where}: {exc.strerror or exc}. Fix: check that the folder exists, is "
                       "writable and the disk has room, then run again (finished districts "
                       "are kept)"}
        for lang in langs:
            print(_ERROR_PREFIX[lang] + texts[lang], file=sys.stderr)
        return 2
    except Exception:  # noqa: BLE001  not a validated input error: say so, keep the traceback
        import traceback

        traceback.print_exc()
        texts = {"zh": "siting: 内部错误：上面的回溯是 siting 或某个库的缺陷，不是你的输入有问题；"
                       "请报告它",
                 "en": "siting: internal error: the traceback above is a bug in siting or a "
                       "library, not a problem with your input; please report it"}
        for lang in langs:
            print(texts[lang], file=sys.stderr)
        return 1


_ERROR_PREFIX = {"zh": "siting: 错误：", "en": "siting: error: "}


def _error_langs(args: argparse.Namespace) -> tuple[str, ...]:
    """The languages errors are printed in: ``--lang``, else the configuration's
    ``outputs: lang:``, else both (Chinese first)."""
    lang = getattr(args, "lang", None)
    if lang in _ERROR_PREFIX:
        return (lang,)
    path = getattr(args, "config", None)
    if path:
        # read before the configuration is validated: the error may be in the configuration
        try:
            with open(path, "rb") as handle:
                head = handle.read(256_000).decode("utf-8", errors="ignore")
        except OSError:
            head = ""
        found = re.search(r"\blang\s*:\s*[\"']?(zh|en)\b", head)
        if found:
            return (found.group(1),)
    return ("zh", "en")


if __name__ == "__main__":
    sys.exit(main())
