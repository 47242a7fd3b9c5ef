"""Planning rules with provenance: load them from catalogues or write your own, then check them.

>>> from siting.rules import load_rules, AccessRule
>>> rules = load_rules("shanghai-2016")                                  # doctest: +SKIP
>>> mine = AccessRule(id="MY-01", facility="kindergarten", threshold="300 m", mode="walk")
>>> mine.describe()
'≥ 100 % of population within 300 m walk of kindergarten'

Every rule evaluates to a :class:`RuleResult` with one row per district and the same columns
(:data:`TABLE_COLUMNS`); :func:`siting.assess` stacks them into an assessment.
"""

from .access import AccessRule, MeanTravelRule, ServiceCircleRule, ServiceRadiusRule
from .base import (DOMAINS, NEW_RESIDENTS, STUDY_AREA, TABLE_COLUMNS, Context, Provenance, Range,
                   Ratio, Rule, RuleInputError, RuleResult, Scope, Strength, parse_range,
                   parse_ratio, parse_share, parse_threshold, straight_line_nearest)
from .catchment import CatchmentRatioRule
from .catalog import CATALOG_DIR, CATALOGS, RULE_KINDS, RuleSet, load_rules, read_catalog
from .composite import AllOf, AnyOf, Principle, SiteBudget
from .display import format_rule, list_rules_table
from .facility_kinds import FACILITY_KINDS
from .joint import JointAccessRule
from .targets import CapacityTargetRule
from .tiers import LifeCircleRule
from .provision import (AreaPerCapitaRule, AttributeShareRule, CapacityPerPopulationRule,
                        FacilitiesPerPopulationRule, PerUnitRule)

__all__ = [
    "AccessRule", "AllOf", "AnyOf", "AreaPerCapitaRule", "AttributeShareRule", "CATALOGS",
    "CATALOG_DIR", "CapacityPerPopulationRule", "CapacityTargetRule", "CatchmentRatioRule", "Context", "DOMAINS", "FACILITY_KINDS",
    "FacilitiesPerPopulationRule", "JointAccessRule", "LifeCircleRule", "MeanTravelRule", "NEW_RESIDENTS", "PerUnitRule", "Principle",
    "Provenance", "RULE_KINDS", "Range", "Ratio", "Rule", "RuleInputError", "RuleResult",
    "RuleSet", "STUDY_AREA", "Scope", "ServiceCircleRule", "ServiceRadiusRule", "SiteBudget",
    "Strength", "TABLE_COLUMNS", "format_rule", "list_rules_table", "load_rules",
    "parse_range", "parse_ratio", "parse_share", "parse_threshold", "read_catalog",
    "straight_line_nearest",
]
