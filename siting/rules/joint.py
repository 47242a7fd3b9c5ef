"""Joint coverage: the share of residents who reach *every* listed service.

SH21-02 「15分钟步行可达覆盖率达到85%」 over community health, elderly care, culture and sports
does not say whether each service or all together must be reachable. The catalogue checks each
service (an ``all_of`` of access rules); :class:`JointAccessRule` is the other reading, offered
beside it: a resident is covered only when every service is within the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import pandas as pd

from ..errors import RuleError
from .access import AccessRule
from .base import Context

if TYPE_CHECKING:
    from ..study_area import StudyArea


@dataclass(kw_only=True, eq=False, repr=False)
class JointAccessRule(AccessRule):
    """At least ``share`` of residents reach every one of ``services`` within ``threshold``.

    Parameters
    ----------
    services
        The services, each a facility kind or a list of kinds any of which serves
        (``[[community_health_centre, community_health_station], elderly_daycare, ...]``).
        ``facility`` is set to all of their kinds (for labels and maps).

    Examples
    --------
    >>> JointAccessRule(id="SH21-02-joint", services=["community_health_centre",
    ...                 "elderly_daycare"], threshold="15 min", share="85 %")  # doctest: +SKIP
    """

    kind: ClassVar[str] = "joint_access"
    services: Sequence[Any] = ()

    def __post_init__(self) -> None:
        groups = []
        for item in self.services or ():
            group = (item,) if isinstance(item, str) else tuple(item)
            if not group or not all(isinstance(k, str) and k.strip() for k in group):
                raise RuleError(f"{self.id}.services", item, "a service is a facility kind id "
                                "or a list of them", "write services: [kindergarten, school]")
            groups.append(tuple(k.strip() for k in group))
        if len(groups) < 2:
            raise RuleError(f"{getattr(self, 'id', '')}.services", self.services,
                            "joint coverage needs at least two services",
                            "list them: services: [community_health_centre, elderly_daycare]")
        self.services = tuple(groups)
        self.facility = tuple(dict.fromkeys(k for g in groups for k in g))
        super().__post_init__()

    def describe(self) -> str:
        names = " and ".join("/".join(g) for g in self.services)
        return (f"≥ {self.share * 100:g} % of {self.basis} reach all of {names} within "
                f"{self.threshold} {self.mode}")

    cannot_propose: ClassVar[dict[str, str]] = {
        "zh": "联合覆盖：请对各项服务分别求解新增站点",
        "en": "joint coverage: propose for each service's own access rule"}

    def proposal(self) -> None:
        return None

    def _part(self, i: int, group: tuple[str, ...]) -> AccessRule:
        return AccessRule(id=f"{self.id}[{i}]", facility=group, threshold=self.threshold,
                          mode=self.mode, share=self.share, direction=self.direction,
                          basis=self.basis)

    def covered(self, area: StudyArea, context: Context
                ) -> tuple[pd.Series, pd.DataFrame, list[str]]:
        """Per-cell basis, the nearest table of the first service with ``covered`` = every
        service reached within the threshold, and notes."""
        weights, first, notes = self._part(0, self.services[0]).covered(area, context)
        table = first.copy()
        for i, group in enumerate(self.services[1:], start=1):
            _, other, more = self._part(i, group).covered(area, context)
            table["covered"] = table["covered"].to_numpy() & other["covered"].to_numpy()
            # off the network for any service means off for the joint reading
            off = other["status"].to_numpy() == "unsnapped"
            table.loc[off, "status"] = "unsnapped"
            notes += [n for n in more if n not in notes]
        notes.append("joint reading: a resident counts only when every service is reached")
        return weights, table, notes
