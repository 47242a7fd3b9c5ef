"""Text and table views of rules, ready for the CLI (``siting rules list|show``) and notebooks."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from .base import Rule
from .facility_kinds import FACILITY_KINDS

LIST_COLUMNS = ["id", "document", "kind", "domain", "facility", "requirement", "strength",
                "target_year", "scope", "checkable"]


def list_rules_table(rules: Iterable[Rule] | None = None) -> pd.DataFrame:
    """One row per rule: id, document, kind, domain, facility, requirement, strength, ...

    Parameters
    ----------
    rules
        Rules to list; default every rule of every package catalogue.
    """
    if rules is None:
        from .catalog import load_rules

        rules = load_rules()
    rows = []
    for rule in rules:
        rows.append({
            "id": rule.id,
            "document": rule.document,
            "kind": rule.kind,
            "domain": rule.domain,
            "facility": rule.facility_label(),
            "requirement": rule.describe(),
            "strength": str(rule.strength),
            "target_year": rule.target_year,
            "scope": rule.scope.describe(),  # type: ignore[union-attr]
            "checkable": rule.checkable,
        })
    return pd.DataFrame(rows, columns=LIST_COLUMNS).astype({"target_year": "Int64"})


def format_rule(rule: Rule) -> str:
    """A rule with its full provenance, as plain text for ``siting rules show ID``."""
    p = rule.provenance
    lines = [f"{rule.id} — {rule.name or rule.kind}", f"  kind:         {rule.kind}"
             + ("" if rule.checkable else " (recorded, not checkable)"),
             f"  requirement:  {rule.describe()}"]
    if rule.facility:
        names = [f"{k} ({FACILITY_KINDS[k][0]})" if k in FACILITY_KINDS else k
                 for k in rule.facility]
        lines.append(f"  facility:     {', '.join(names)}")
    lines += [
        f"  domain:       {rule.domain}",
        f"  scope:        {rule.scope.describe()}",  # type: ignore[union-attr]
        f"  basis:        {rule.basis}",
        f"  checked at:   {'each district' if rule.check_at == 'district' else 'the whole study area'}",
        f"  strength:     {p.strength}" + (f" ({p.status})" if p.status != "target" else ""),  # type: ignore[union-attr]
        f"  target year:  {p.target_year or 'not stated'}",  # type: ignore[union-attr]
        f"  source:       {p.cite()}",  # type: ignore[union-attr]
    ]
    if p.verify:  # type: ignore[union-attr]
        lines.append("  VERIFY:       numbers not read from the official text; check them")
    for caveat in p.caveats:  # type: ignore[union-attr]
        lines.append(f"  caveat:       {caveat}")
    parts = rule.parts if rule.has_parts else ()  # type: ignore[attr-defined]
    for part in parts:
        lines.append(f"  part:         {part.id}: {part.describe()}")
    text = getattr(rule, "text", "")
    if text:
        lines.append(f"  text:         {text}")
    use = getattr(rule, "use", "")
    if use:
        lines.append(f"  use:          {use}")
    return "\n".join(lines)
