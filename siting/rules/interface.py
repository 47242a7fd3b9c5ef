"""What a rule kind declares to the rest of the library: its reach, map travel, proposal block.

Reports, batch slices and :func:`siting.propose` used to guess these from attribute names
(``getattr(rule, "threshold")``) and lists of classes; each rule kind now says them through
the methods of :class:`~siting.rules.Rule` that return the small records below, so a new rule
kind is written in one module (see ``docs/rules.md``, "Writing a rule kind"):

``Rule.decided_at``
    ``"district"`` (each district decides) or ``"area"`` (the study-area row decides).
``Rule.reaches()``
    The travel its verdict reads, one :class:`Reach` per facility set; ``()`` for a composite
    (its parts say theirs); ``None`` when unknown (a batch then gives the district's task the
    whole inputs: always right, only slower).
``Rule.map_travel()``
    The threshold maps colour residents against (a :class:`Reach` with a ``limit``), or
    ``None``; ``Rule.map_layers`` names the layers a map of the rule draws.
``Rule.proposal()``
    How new sites fix it (a :class:`ProposalBlock`), or ``None`` with
    ``Rule.cannot_propose`` saying why, in Chinese and English.

Kinds register themselves by their ``kind`` class attribute (:data:`RULE_KINDS`), so a
catalogue can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import RuleError
from ..units import Quantity

if TYPE_CHECKING:
    from .base import Rule

#: ``kind:`` value -> rule class, filled as rule classes are defined.
RULE_KINDS: dict[str, type[Rule]] = {}

#: Layers a rule map can draw: ``travel`` (cells coloured by travel to the nearest facility
#: up to twice the threshold), ``isochrones``, ``uncovered`` (cells left out), ``facilities``,
#: ``verdicts`` (districts by verdict).
MAP_LAYERS = ("travel", "isochrones", "uncovered", "facilities", "verdicts")

#: Levels a verdict is decided at.
LEVELS = ("district", "area")


@dataclass(frozen=True)
class Reach:
    """Travel a rule reads: from residents to facilities of ``kinds`` on the ``mode`` network.

    Attributes
    ----------
    kinds
        Facility kinds the travel ends at.
    mode
        Network (``"walk"``, ``"drive"``); ``None`` when the rule reads no travel (counts and
        capacities inside each district).
    limit
        Farthest travel that matters (a time or a length); ``None`` with a ``mode``: the
        nearest facility however far (averages, means).
    """

    kinds: tuple[str, ...]
    mode: str | None = None
    limit: Quantity | None = None

    @property
    def bounded(self) -> bool:
        return self.mode is not None and self.limit is not None


@dataclass(frozen=True)
class ProposalBlock:
    """How :func:`siting.propose` closes a rule's gap with new sites.

    Attributes
    ----------
    how
        ``"coverage"``: cells must come within ``threshold`` of a site of ``kinds`` on the
        ``mode`` network until ``share`` of the basis is covered; ``"count"``: the rule's
        ``shortfall`` (in facilities) is a number of new sites of ``kinds``.
    kinds
        Facility kinds a new site hosts for this rule (the first is placed).
    mode, threshold, share, direction
        For ``"coverage"`` only.
    """

    how: str
    kinds: tuple[str, ...]
    mode: str | None = None
    threshold: Quantity | None = None
    share: float = 1.0
    direction: str = "to_facility"

    def __post_init__(self) -> None:
        if self.how not in ("coverage", "count"):
            raise RuleError("proposal.how", self.how, "unknown proposal block",
                            "use 'coverage' or 'count'")
        if self.how == "coverage" and (self.mode is None or self.threshold is None):
            raise RuleError("proposal.threshold", self.threshold,
                            "a coverage block needs a network mode and a threshold",
                            "give mode= and threshold=")


#: Why a rule kind cannot be proposed for, when it does not say (zh, en).
NO_SITE_FIX = {"zh": "新增站点无法解决此项（需增加现有设施的容量、面积或属性）",
               "en": "new sites cannot fix this (it needs capacity, floor area or attributes "
                     "at existing facilities)"}


def register(cls: type[Rule]) -> None:
    """Record ``cls`` under its ``kind`` (called for every subclass of Rule with its own kind).

    A kind name taken by another class is refused: a catalogue entry would silently change
    meaning. Re-defining the same class (a reloaded module) replaces it.
    """
    kind = cls.__dict__.get("kind")
    if not isinstance(kind, str) or cls.__name__.startswith("_"):
        return
    known = RULE_KINDS.get(kind)
    if known is not None and known is not cls and (
            known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
        raise RuleError("kind", kind, f"rule kind already defined by {known.__qualname__}",
                        "give the new rule class its own kind name")
    RULE_KINDS[kind] = cls
