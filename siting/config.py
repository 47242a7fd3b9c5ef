"""One YAML file describes a run: inputs, rules (with overrides), modes, options, outputs.

Used by ``siting check CONFIG`` and ``siting report CONFIG --out DIR``; ``examples/town.yaml``
is a commented example. Validation happens before anything is read or written, and every
error names the key: ``town.yaml: rules[2]=... no catalogue, rule id or file of that name``.

Layout::

    title: Kindergartens and schools, 2025
    inputs:
      example: town                   # the embedded OSM example; or give the layers below
      districts: data/districts.gpkg  # or {path: ..., layer: ...}
      district_col: name
      cells: data/population.gpkg     # optional: without it districts carry the population
      population_col: population
      facilities: data/facilities.gpkg   # a 'kind' column; CSV: lon/lat (coordinate_system:)
      # a raw POI export: {path: pois.csv, coordinate_system: gcj02, classify: true,
      #                    review: true}   kinds from names, doubtful POIs listed and dropped
      networks: {walk: data/city.osm.pbf}   # or  network: data/city.osm.pbf  (+ modes)
      crs: EPSG:32651                 # optional metric CRS; default the local UTM zone
    modes: [walk]                     # networks to build
    rules:
      - GB50180-KG                    # a catalogue rule id, a catalogue id, or a .yaml file
      - {id: GB50180-PS, facility: school}   # with overrides of the rule's fields
    assess: {straight_line: false, detour: 1.0, absent_is_zero: false}
    propose: {time_limit: 30}         # or true: new sites per district (siting.propose)
    outputs: {dir: report, lang: zh, tiles: OpenStreetMap, offline: true,
              isochrones: auto, maps: auto, static: false}   # static: PNG maps and PDFs

Relative paths are relative to the YAML file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import SitingError

if TYPE_CHECKING:
    from .report.batch import BatchInputs, ReportOptions
    from .rules.base import Rule
    from .study_area import StudyArea

TOP_KEYS = ("title", "inputs", "modes", "rules", "assess", "propose", "outputs")
PROPOSE_KEYS = ("time_limit", "max_candidates", "seed")
INPUT_KEYS = ("example", "districts", "district_col", "cells", "population_col", "facilities",
              "networks", "network", "crs", "clip", "snap_distance")
LAYER_KEYS = ("path", "layer", "coordinate_system", "classify", "review")
EXAMPLE_KEYS = ("name", "cell_size_m", "district_size_m")
ASSESS_KEYS = ("straight_line", "detour", "absent_is_zero")
OUTPUT_KEYS = ("dir", "lang", "tiles", "offline", "isochrones", "maps", "static")
MODES = ("walk", "drive")
# rule fields a config may not override: identity and provenance stay the catalogue's
_FIXED_RULE_FIELDS = {"id", "provenance", "parts"}
# overriding any other field (a threshold, the facility kind) makes the catalogue's names
# stale: a name the override does not restate is emptied, and pages show the requirement
# written from the new values instead
_NAME_NEUTRAL_FIELDS = {"name", "name_zh", "domain", "scope"}


class ConfigError(SitingError):
    """A run configuration is invalid; ``field`` names the file and the key."""


@dataclass
class Config:
    """A validated run configuration (see the module notes for the YAML layout).

    Attributes
    ----------
    path
        The YAML file (``None`` for a configuration given as a mapping).
    title
        Report title.
    inputs
        The ``inputs:`` section with paths resolved.
    modes
        Travel modes whose networks are built.
    rules
        The rules, overrides applied.
    assess_options
        Keyword arguments for :func:`siting.assess.assess`.
    outputs
        The ``outputs:`` section with defaults filled in.
    propose
        Options for :func:`siting.propose.propose` per district, or ``None`` (no proposals).
    """

    path: Path | None
    title: str
    inputs: dict[str, Any]
    modes: list[str]
    rules: list[Rule]
    assess_options: dict[str, Any]
    outputs: dict[str, Any]
    propose: dict[str, Any] | None = None
    _area_cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- what the config describes ------------------------------------------------------------
    @property
    def out_dir(self) -> Path | None:
        return self.outputs.get("dir")

    def report_options(self) -> ReportOptions:
        """:class:`siting.report.ReportOptions` from ``outputs:`` and ``assess:``."""
        from .report.batch import ReportOptions, proposals_by_propose

        o = self.outputs
        proposals = None if self.propose is None else proposals_by_propose(**self.propose)
        return ReportOptions(title=self.title, lang=o["lang"], tiles=o["tiles"],
                             offline=o["offline"], isochrones=o["isochrones"], maps=o["maps"],
                             static=o["static"], proposals=proposals, **self.assess_options)

    def _where(self, key: str) -> str:
        return f"{self.path.name}: {key}" if self.path else key

    def batch_inputs(self) -> BatchInputs:
        """Read the layers, build the networks and check what all districts share.

        Raises :class:`ConfigError` naming the ``inputs.`` key when a file cannot be read, a
        column is missing or the layers do not fit together; nothing is written.
        """
        from .report.batch import BatchInputs, prepare_inputs

        if "example" in self.inputs:
            return BatchInputs.from_area(self.study_area())
        layers = {key: self._read_layer(key) for key in ("districts", "cells", "facilities")
                  if self.inputs.get(key) is not None}
        networks = self._networks()
        facilities = layers.get("facilities")
        review = None if facilities is None else facilities.attrs.get("review")
        try:
            inputs = prepare_inputs(layers["districts"], layers.get("cells"),
                                  facilities, networks,
                                  district_col=self.inputs.get("district_col", "district"),
                                  population_col=self.inputs.get("population_col", "population"),
                                  crs=self.inputs.get("crs"), clip=self.inputs.get("clip", True),
                                  snap_distance=self.inputs.get("snap_distance"))
            inputs.facility_review = review
            return inputs
        except ConfigError:
            raise
        except SitingError as exc:
            raise ConfigError(self._where(f"inputs.{exc.field}"), exc.value, exc.problem,
                              exc.fix) from exc

    def study_area(self) -> StudyArea:
        """The whole study area (for ``siting check`` and notebooks)."""
        from .study_area import StudyArea

        if "area" in self._area_cache:
            return self._area_cache["area"]
        if "example" in self.inputs:
            from .datasets import load_example

            spec = self.inputs["example"]
            area = load_example(spec["name"], **{k: v for k, v in spec.items() if k != "name"})
            if set(area.networks) != set(self.modes):
                area = StudyArea(area.districts, area.cells, area.facilities,
                                 {m: n for m, n in area.networks.items() if m in self.modes},
                                 crs=area.crs)
        else:
            inputs = self.batch_inputs()
            cells = None
            if inputs.cells is not None:
                cells = inputs.cells.drop(columns=["_district"])
            try:
                area = StudyArea(inputs.districts, cells, inputs.facilities, inputs.networks,
                                 crs=inputs.crs, snap_distance=inputs.snap_distance)
            except SitingError as exc:
                raise ConfigError(self._where(f"inputs.{exc.field}"), exc.value, exc.problem,
                                  exc.fix) from exc
        self._area_cache["area"] = area
        return area

    # -- readers --------------------------------------------------------------------------------
    def _read_layer(self, key: str):
        from .io import read_layer

        spec = self.inputs[key]
        try:
            if spec.get("coordinate_system") and Path(spec["path"]).suffix.lower() in (
                    ".csv", ".txt", ".xlsx", ".xls"):
                from .china import read_poi_table

                return self._classified(read_poi_table(spec["path"], spec["coordinate_system"]),
                                        spec)
            kwargs = {"gpkg_layer": spec["layer"]} if spec.get("layer") else {}
            gdf = read_layer(spec["path"], layer=key, **kwargs)
            if spec.get("coordinate_system") and spec["coordinate_system"] not in ("wgs84",):
                from .china import to_wgs84

                gdf = to_wgs84(gdf, spec["coordinate_system"])
            if spec.get("coordinate_system"):
                # declared: the study area's GCJ-02 check (siting.offset_check) trusts it
                gdf.attrs["coordinate_system"] = spec["coordinate_system"]
            return self._classified(gdf, spec)
        except SitingError as exc:
            raise ConfigError(self._where(f"inputs.{key}"), str(spec["path"]), exc.problem,
                              exc.fix) from exc

    def _classified(self, pois, spec: Mapping[str, Any]):
        """POIs with kinds from their names (``classify: true``), reviewed (``review: true``).

        Unclassified rows are left out (they are no facility kind of the catalogue); the review
        keeps every flagged row in ``attrs["review"]`` for the report's facility review.
        """
        if not spec.get("classify"):
            return pois
        from .china import classify_pois
        from .poi_review import review_pois

        type_col = "type" if "type" in pois.columns else None
        name_col = "name" if "name" in pois.columns else None
        if name_col is None:
            raise SitingError("name", None, "classify: true needs a 'name' column",
                              f"rename the POI name column to 'name' (columns: {list(pois.columns)})")
        classified = classify_pois(pois, name_col=name_col, type_col=type_col)
        classified = classified[classified["kind"].notna()]
        if spec.get("review"):
            classified = review_pois(classified)
        return classified

    def _networks(self) -> dict[str, Any]:
        from .network import from_pbf
        from .network.build import from_graphml

        out = {}
        sources = self.inputs.get("networks", {})
        for mode in self.modes:
            path = Path(sources[mode])
            try:
                if path.suffix.lower() == ".graphml":
                    out[mode] = from_graphml(path, mode=mode)
                else:
                    out[mode] = from_pbf(path, mode, crs=self.inputs.get("crs"))
            except SitingError as exc:
                raise ConfigError(self._where(f"inputs.networks.{mode}"), str(path),
                                  exc.problem, exc.fix) from exc
        return out


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------
class _Checker:
    def __init__(self, name: str | None, base: Path) -> None:
        self.name = name
        self.base = base

    def error(self, key: str, value: object, problem: str, fix: str) -> ConfigError:
        return ConfigError(f"{self.name}: {key}" if self.name else key, value, problem, fix)

    @contextmanager
    def reported_as(self, key: str, value: object) -> Iterator[None]:
        """A library error raised inside, told as a problem with config key ``key``."""
        try:
            yield
        except SitingError as exc:
            raise self.error(key, value, exc.problem, exc.fix) from exc

    def mapping(self, value: object, key: str, allowed: Sequence[str]) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(key, value, "must be a mapping of keys to values",
                             f"write it as '{key.split('.')[-1]}:' followed by indented keys "
                             f"({', '.join(allowed)})")
        for k in value:
            if k not in allowed:
                raise self.error(f"{key}.{k}" if key else str(k), value[k], "unknown key",
                                 "use one of " + ", ".join(allowed))
        return dict(value)

    def file(self, value: object, key: str, suffixes: Sequence[str] | None = None) -> Path:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            raise self.error(key, value, "must be a file path", "give the path as text")
        path = Path(str(value)).expanduser()
        if not path.is_absolute():
            path = self.base / path
        if not path.exists():
            raise self.error(key, str(value), f"no such file ({path})",
                             "check the path; relative paths start at the config file's folder")
        if suffixes and not str(path).lower().endswith(tuple(suffixes)):
            raise self.error(key, str(value), "unexpected file type",
                             "give one of " + ", ".join(suffixes))
        return path

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, value, "must be true or false", "write true or false")
        return value

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, value, "must be text", "give a non-empty string")
        return value


def _layer(check: _Checker, value: object, key: str) -> dict[str, Any]:
    spec = {"path": value} if isinstance(value, (str, Path)) else check.mapping(value, key,
                                                                                LAYER_KEYS)
    if "path" not in spec:
        raise check.error(f"{key}.path", None, "missing", "give path: to the file")
    spec["path"] = check.file(spec["path"], f"{key}.path" if isinstance(value, Mapping) else key)
    if spec.get("coordinate_system") is not None:
        from .china import parse_coordinate_system

        with check.reported_as(f"{key}.coordinate_system", spec["coordinate_system"]):
            spec["coordinate_system"] = parse_coordinate_system(spec["coordinate_system"])
    for flag in ("classify", "review"):
        if flag in spec:
            if key != "inputs.facilities":
                raise check.error(f"{key}.{flag}", spec[flag], "only facilities are classified",
                                  f"move {flag}: under inputs.facilities")
            spec[flag] = check.boolean(spec[flag], f"{key}.{flag}")
    if spec.get("review") and not spec.get("classify"):
        raise check.error(f"{key}.review", True, "the review reads the kinds classify: gives",
                          "add classify: true (or drop review:)")
    return spec


def _inputs(check: _Checker, raw: object) -> dict[str, Any]:
    if raw is None:
        raise check.error("inputs", None, "missing", "add an inputs: section (example: town, "
                          "or districts:/cells:/facilities: paths)")
    inputs = check.mapping(raw, "inputs", INPUT_KEYS)
    out: dict[str, Any] = {}
    if "example" in inputs:
        others = sorted(set(inputs) & {"districts", "cells", "facilities", "networks", "network"})
        if others:
            raise check.error(f"inputs.{others[0]}", inputs[others[0]],
                              "an example brings its own layers",
                              "give either example: or the layer paths, not both")
        from .datasets import EXAMPLES

        spec = inputs["example"]
        spec = {"name": spec} if isinstance(spec, str) else check.mapping(
            spec, "inputs.example", EXAMPLE_KEYS)
        if spec.get("name") not in EXAMPLES:
            raise check.error("inputs.example", spec.get("name"), "unknown example",
                              f"use one of {sorted(EXAMPLES)}")
        for k in ("cell_size_m", "district_size_m"):
            if k in spec and not (isinstance(spec[k], (int, float)) and spec[k] > 0):
                raise check.error(f"inputs.example.{k}", spec[k], "must be a positive number",
                                  "give metres, e.g. 100")
        out["example"] = spec
        return out
    if "districts" not in inputs:
        raise check.error("inputs.districts", None, "missing",
                          "give the district polygons (or example: town)")
    for key in ("districts", "cells", "facilities"):
        if inputs.get(key) is not None:
            out[key] = _layer(check, inputs[key], f"inputs.{key}")
    for key in ("district_col", "population_col"):
        if key in inputs:
            out[key] = check.text(inputs[key], f"inputs.{key}")
    if "crs" in inputs:
        from .crs import require_metric

        with check.reported_as("inputs.crs", inputs["crs"]):
            require_metric(inputs["crs"])
        out["crs"] = inputs["crs"]
    if "clip" in inputs:
        out["clip"] = check.boolean(inputs["clip"], "inputs.clip")
    if "snap_distance" in inputs:
        snap = check.mapping(inputs["snap_distance"], "inputs.snap_distance", MODES)
        for mode, metres in snap.items():
            if isinstance(metres, bool) or not isinstance(metres, (int, float)) \
                    or not 0 < metres < float("inf"):  # NaN fails here too
                raise check.error(f"inputs.snap_distance.{mode}", metres, "must be > 0 metres",
                                  "give e.g. 500")
        out["snap_distance"] = snap
    if "networks" in inputs and "network" in inputs:
        raise check.error("inputs.network", inputs["network"], "give network: or networks:",
                          "use networks: {walk: ..., drive: ...} for one file per mode")
    if "networks" in inputs:
        networks = check.mapping(inputs["networks"], "inputs.networks", MODES)
        out["networks"] = {mode: check.file(path, f"inputs.networks.{mode}",
                                            (".pbf", ".graphml"))
                           for mode, path in networks.items()}
    elif "network" in inputs:
        out["network"] = check.file(inputs["network"], "inputs.network", (".pbf",))
    return out


def _modes(check: _Checker, raw: object, inputs: dict[str, Any], rules: list[Rule]) -> list[str]:
    """Modes whose networks are built: as listed, else those the rules travel by."""
    available = list(MODES) if ("example" in inputs or "network" in inputs) else \
        list(inputs.get("networks", {}))
    if raw is None:
        used = {getattr(r, "mode", None) for top in rules for r in top.walk()}
        modes = [m for m in MODES if m in used and m in available]
        if "example" in inputs or "networks" in inputs:
            modes = modes or available
        elif "network" in inputs:
            modes = modes or ["walk"]
    else:
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise check.error("modes", raw, "must be a list", "write modes: [walk, drive]")
        modes = []
        for i, mode in enumerate(items):
            if mode not in MODES:
                raise check.error(f"modes[{i}]", mode, "unknown travel mode",
                                  f"use one of {list(MODES)}")
            if mode not in available:
                raise check.error(f"modes[{i}]", mode, "no network is given for this mode",
                                  f"add inputs.networks.{mode}: path/to/city.osm.pbf")
            modes.append(mode)
    if "network" in inputs:
        # one extract for every mode: the walk and drive graphs are both read from it
        path = inputs.pop("network")
        inputs["networks"] = {mode: path for mode in modes}
    return modes


def _rule_fields(rule: Rule) -> set[str]:
    return {f.name for f in dataclasses.fields(rule)} - _FIXED_RULE_FIELDS


def rules_from_spec(spec: object, *, where: str | None = None, base: Path | None = None
                    ) -> list[Rule]:
    """Rules from a config's ``rules:`` list: ids, catalogue ids, YAML files, overrides.

    An entry ``{id: GB50180-PS, facility: school}`` takes the catalogue rule and replaces
    the given fields; the override is recorded among the rule's caveats, so pages and
    workbooks show that the rule was adapted.
    """
    from .rules import load_rules

    check = _Checker(where, base or Path.cwd())
    if not isinstance(spec, list) or not spec:
        raise check.error("rules", spec, "must be a non-empty list",
                          "list catalogue rule ids, e.g. rules: [GB50180-KG, GB50180-PS]")
    out: list[Rule] = []
    for i, entry in enumerate(spec):
        key = f"rules[{i}]"
        overrides: dict[str, Any] = {}
        if isinstance(entry, Mapping):
            if "id" not in entry:
                raise check.error(key, dict(entry), "a rule entry with overrides needs id:",
                                  "write {id: GB50180-PS, facility: school}")
            overrides = {k: v for k, v in entry.items() if k != "id"}
            entry = entry["id"]
        if not isinstance(entry, str) or not entry.strip():
            raise check.error(key, entry, "not a rule selector",
                              "give a rule id, a catalogue id or a .yaml path")
        selector: str = entry.strip()
        if selector.endswith((".yaml", ".yml")):
            selector = str(check.file(selector, key))
        with check.reported_as(key, entry):
            found = list(load_rules(selector))
        if overrides:
            if len(found) != 1:
                raise check.error(key, entry, "overrides apply to one rule, and this selects "
                                  f"{len(found)}", "list the rule ids one by one")
            rule = found[0]
            allowed = _rule_fields(rule)
            for name in overrides:
                if name not in allowed:
                    raise check.error(f"{key}.{name}", overrides[name],
                                      f"{rule.id} ({rule.kind}) has no such field",
                                      "use one of " + ", ".join(sorted(allowed)))
            note = "adapted in the run configuration: " + ", ".join(
                f"{k}={v}" for k, v in overrides.items())
            old = rule.provenance
            provenance = dataclasses.replace(old, caveats=tuple(old.caveats) + (note,))  # type: ignore
            if set(overrides) - _NAME_NEUTRAL_FIELDS:
                overrides = {"name": "", "name_zh": ""} | overrides
            try:
                found = [dataclasses.replace(rule, provenance=provenance, **overrides)]
            except SitingError as exc:
                raise check.error(f"{key}.{exc.field.split('.')[-1]}", exc.value, exc.problem,
                                  exc.fix) from exc
            except TypeError as exc:
                raise check.error(key, overrides, f"cannot apply the overrides ({exc})",
                                  "check the field names and values") from exc
        out += found
    ids = [r.id for r in out]
    dupes = sorted({x for x in ids if ids.count(x) > 1})
    if dupes:
        raise check.error("rules", dupes, "rule ids appear twice (a catalogue and one of its "
                          "rules?)", "list each rule once")
    return out


def _options(check: _Checker, raw_assess: object, raw_outputs: object,
             rules: list[Rule]) -> tuple[dict[str, Any], dict[str, Any]]:
    assess = check.mapping(raw_assess, "assess", ASSESS_KEYS)
    for key in ("straight_line", "absent_is_zero"):
        if key in assess:
            check.boolean(assess[key], f"assess.{key}")
    if "detour" in assess and not (isinstance(assess["detour"], (int, float))
                                   and assess["detour"] >= 1):
        raise check.error("assess.detour", assess["detour"], "must be a number ≥ 1",
                          "give e.g. 1.3 (streets are longer than straight lines)")
    outputs = check.mapping(raw_outputs, "outputs", OUTPUT_KEYS)
    out: dict[str, Any] = {"dir": None, "lang": "zh", "tiles": "OpenStreetMap", "offline": True,
                           "isochrones": "auto", "maps": "auto", "static": False}
    if outputs.get("dir") is not None:
        d = Path(check.text(str(outputs["dir"]), "outputs.dir")).expanduser()
        out["dir"] = d if d.is_absolute() else check.base / d
    if "lang" in outputs:
        if outputs["lang"] not in ("zh", "en"):
            raise check.error("outputs.lang", outputs["lang"], "unknown language",
                              "use zh or en")
        out["lang"] = outputs["lang"]
    if "tiles" in outputs:
        from .report.basemaps import tiles_system

        with check.reported_as("outputs.tiles", outputs["tiles"]):
            tiles_system(outputs["tiles"])
        out["tiles"] = outputs["tiles"]
    if "offline" in outputs:
        out["offline"] = check.boolean(outputs["offline"], "outputs.offline")
    if "static" in outputs:
        out["static"] = check.boolean(outputs["static"], "outputs.static")
    if "isochrones" in outputs:
        value = outputs["isochrones"]
        if value not in (None, "auto"):
            from .units import parse_cutoff

            items = value if isinstance(value, list) else [value]
            with check.reported_as("outputs.isochrones", value):
                [parse_cutoff(v, field="isochrones") for v in items]
            value = items
        out["isochrones"] = value
    if "maps" in outputs:
        value = outputs["maps"]
        if value not in (None, "auto"):
            items = value if isinstance(value, list) else [value]
            known = {r.id for top in rules for r in top.walk()}
            for i, rid in enumerate(items):
                if rid not in known:
                    raise check.error(f"outputs.maps[{i}]", rid, "not one of the rules listed",
                                      f"use one of {sorted(known)}")
            value = items
        out["maps"] = value
    return assess, out


def load_config(source: str | Path | Mapping[str, Any], *, base: Path | None = None) -> Config:
    """Read and validate a run configuration.

    Parameters
    ----------
    source
        Path to the YAML file, or the parsed mapping.
    base
        Folder relative paths start from (default: the YAML file's folder, else the
        current folder).

    Raises
    ------
    ConfigError
        The first problem found, naming the file and the key (unknown key, missing file,
        rule id not in any catalogue, bad value). Nothing is read beyond the YAML and the
        rule catalogues, and nothing is written.
    """
    path = None
    if isinstance(source, Mapping):
        raw: Any = dict(source)
        base = base or Path.cwd()
    else:
        path = Path(source)
        if not path.exists():
            raise ConfigError("config", str(source), "no such file", "check the path")
        from .safe_yaml import YamlError, load_yaml

        try:  # safe: duplicate keys refused, aliases bounded, GBK named
            raw = load_yaml(path)
        except YamlError as exc:
            raise ConfigError(exc.field, exc.value, exc.problem, exc.fix) from exc
        base = base or path.resolve().parent
    check = _Checker(path.name if path else None, base)
    raw = check.mapping(raw, "", TOP_KEYS)
    title = raw.get("title") or (path.stem if path else "siting")
    if not isinstance(title, str):
        raise check.error("title", title, "must be text", "quote it")
    inputs = _inputs(check, raw.get("inputs"))
    if "rules" not in raw:
        raise check.error("rules", None, "missing", "list the rules to check, e.g. "
                          "rules: [GB50180-KG]")
    rules = rules_from_spec(raw["rules"], where=check.name, base=base)
    modes = _modes(check, raw.get("modes"), inputs, rules)
    assess, outputs = _options(check, raw.get("assess"), raw.get("outputs"), rules)
    propose = _propose(check, raw.get("propose"))
    return Config(path, title, inputs, modes, rules, assess, outputs, propose)


def _propose(check: _Checker, raw: object) -> dict[str, Any] | None:
    if raw is None or raw is False:
        return None
    if raw is True:
        return {}
    options = check.mapping(raw, "propose", PROPOSE_KEYS)
    for key, value in options.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise check.error(f"propose.{key}", value, "must be a number ≥ 0",
                              "give seconds for time_limit, a count for max_candidates")
    return options


__all__ = ["Config", "ConfigError", "load_config", "rules_from_spec"]
