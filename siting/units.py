"""Quantities with units: "3.5 km", "15 min", "0.3 m2/person", "1/30000 people".

Planning rules quote thresholds with units; siting keeps them as :class:`Quantity` and refuses
to compare quantities of different dimensions (a radius in minutes against one in metres).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .errors import UnitError

# unit -> (dimension, factor to the base unit of that dimension)
_UNITS: dict[str, tuple[str, float]] = {
    "m": ("length", 1.0),
    "metre": ("length", 1.0),
    "meter": ("length", 1.0),
    "米": ("length", 1.0),
    "km": ("length", 1000.0),
    "公里": ("length", 1000.0),
    "千米": ("length", 1000.0),
    "s": ("time", 1.0 / 60.0),
    "sec": ("time", 1.0 / 60.0),
    "min": ("time", 1.0),
    "minute": ("time", 1.0),
    "minutes": ("time", 1.0),
    "分钟": ("time", 1.0),
    "h": ("time", 60.0),
    "hour": ("time", 60.0),
    "小时": ("time", 60.0),
    "m2": ("area", 1.0),
    "m²": ("area", 1.0),
    "平方米": ("area", 1.0),
    "ha": ("area", 10_000.0),
    "km2": ("area", 1_000_000.0),
    "km²": ("area", 1_000_000.0),
    "m2/person": ("area_per_person", 1.0),
    "m²/person": ("area_per_person", 1.0),
    "%": ("share", 0.01),
    "percent": ("share", 0.01),
    "share": ("share", 1.0),
    "‰": ("share", 0.001),
    "person": ("people", 1.0),
    "people": ("people", 1.0),
    "人": ("people", 1.0),
    "万人": ("people", 10_000.0),
}

BASE_UNIT = {
    "length": "m",
    "time": "min",
    "area": "m2",
    "area_per_person": "m2/person",
    "share": "share",
    "people": "people",
}

_NUMBER = r"[-+]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
# "1,000 m" is a thousands separator (planners write it so; rule thresholds read it so): a comma
# between digits followed by exactly three digits is dropped before "3,5 km" is read as a decimal
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_PATTERN = re.compile(rf"^\s*({_NUMBER})\s*([^\d\s].*?)?\s*$")


@dataclass(frozen=True)
class Quantity:
    """A number with a dimension, stored in the base unit of that dimension.

    Base units: metres, minutes, m², m²/person, share (0–1), people.
    """

    value: float
    dimension: str

    @property
    def unit(self) -> str:
        return BASE_UNIT[self.dimension]

    def to(self, unit: str) -> float:
        """The value expressed in ``unit`` (which must have the same dimension)."""
        dimension, factor = _lookup(unit, field="unit")
        if dimension != self.dimension:
            raise UnitError(
                "unit", unit, f"cannot express a {self.dimension} quantity in {dimension}",
                f"ask for a {self.dimension} unit such as {BASE_UNIT[self.dimension]!r}",
            )
        return self.value / factor

    def __str__(self) -> str:
        return f"{self.value:g} {self.unit}"


def _lookup(unit: str, field: str) -> tuple[str, float]:
    key = unit.strip().replace(" ", "")
    for candidate in (key, key.lower()):
        if candidate in _UNITS:
            return _UNITS[candidate]
    raise UnitError(
        field, unit, "unknown unit",
        "use one of " + ", ".join(sorted({k for k in _UNITS if k.isascii()})),
    )


def parse_quantity(text: str | float | int | Quantity, *, field: str = "value",
                   dimension: str | None = None, default_unit: str | None = None) -> Quantity:
    """Parse ``"3.5 km"``, ``"15 min"``, ``"0.3 m2/person"``, ``"85 %"`` or a bare number.

    Parameters
    ----------
    text
        The quantity. A bare number takes ``default_unit``.
    field
        Name used in error messages.
    dimension
        If given, the dimension the quantity must have ("length", "time", ...).
    default_unit
        Unit for bare numbers. Without it a bare number is an error when ``dimension`` is given.

    Raises
    ------
    UnitError
        Unknown unit, no unit where one is needed, or a unit of the wrong dimension.
    """
    if isinstance(text, Quantity):
        quantity = text
    elif isinstance(text, (int, float)) and not isinstance(text, bool):
        if default_unit is None:
            if dimension is None:
                raise UnitError(field, text, "a bare number has no unit",
                                "write it with a unit, for example '3.5 km' or '15 min'")
            default_unit = BASE_UNIT[dimension]
        dim, factor = _lookup(default_unit, field)
        quantity = Quantity(float(text) * factor, dim)
    else:
        match = _PATTERN.match(_THOUSANDS.sub("", str(text)))
        if not match:
            raise UnitError(field, text, "not a number followed by a unit",
                            "write it like '3.5 km', '15 min' or '0.3 m2/person'")
        number = float(match.group(1).replace(",", "."))
        unit = match.group(2) or default_unit
        if unit is None:
            return parse_quantity(number, field=field, dimension=dimension)
        dim, factor = _lookup(unit, field)
        quantity = Quantity(number * factor, dim)
    if dimension is not None and quantity.dimension != dimension:
        raise UnitError(
            field, text, f"expected a {dimension} but got a {quantity.dimension}",
            f"give a {dimension} such as '1 {BASE_UNIT[dimension]}'",
        )
    return quantity


def parse_cutoff(cutoff: str | float | int | Quantity, *, field: str = "cutoff") -> Quantity:
    """A travel cutoff: a length (bare numbers are metres) or a time; must be > 0."""
    if isinstance(cutoff, (int, float)) and not isinstance(cutoff, bool):
        quantity = parse_quantity(cutoff, field=field, default_unit="m")
    else:
        quantity = parse_quantity(cutoff, field=field)
    if quantity.dimension not in ("length", "time"):
        raise UnitError(field, cutoff, f"a cutoff must be a length or a time, not a {quantity.dimension}",
                        "give metres ('800 m') or minutes ('15 min')")
    if not quantity.value > 0:
        raise UnitError(field, cutoff, "a cutoff must be greater than zero",
                        "give a positive distance or time, for example '500 m' or '15 min'")
    return quantity


# ---------------------------------------------------------------------------------------------
# numbers as a planner reads them (every page, map, sheet and the command line)
# ---------------------------------------------------------------------------------------------
#: What a missing number is shown as: never "nan", "NaN" or "None".
MISSING = "—"


def _finite_or_none(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def format_number(value: object, digits: int | None = None) -> str:
    """A number with thousands separators, never in scientific notation; ``—`` when missing.

    Parameters
    ----------
    value
        Any number (NumPy, pandas ``NA``, text holding a number, ``None``).
    digits
        Decimals; by default 0 from 100 up, 1 from 1 up, else 3 (and "0" for zero).

    Returns
    -------
    str
        ``"22,829"``, ``"3.5"``, ``"0.537"``, ``"∞"``, or :data:`MISSING`. The separators are
        the same in Chinese and English (GB/T 15835 writes 22,829 too).

    Examples
    --------
    >>> format_number(22829.4), format_number(float("nan")), format_number(1.457e4)
    ('22,829', '—', '14,570')
    >>> format_number(0.53676), format_number(3.5), format_number(0)
    ('0.537', '3.5', '0')
    """
    number = _finite_or_none(value)
    if number is None:
        return MISSING
    if number in (float("inf"), float("-inf")):
        return "∞" if number > 0 else "-∞"
    if digits is None:
        size = abs(number)
        digits = 0 if size >= 100 or number == 0 else (1 if size >= 1 else 3)
        if digits == 1 and float(number).is_integer():
            digits = 0
    text = f"{number:,.{digits}f}"
    return "0" if text in ("-0", "-0.0", "-0.00", "-0.000") else text


def format_value(value: object, unit: object = None, digits: int | None = None) -> str:
    """A reading or requirement with its unit: ``"14,570 m"``, ``"44.7 %"`` (shares), ``—``.

    Examples
    --------
    >>> format_value(14570.3, "m"), format_value(0.4470, "share"), format_value(None, "m")
    ('14,570 m', '44.7 %', '—')
    """
    number = _finite_or_none(value)
    if number is None:
        return MISSING
    if unit in ("share", "%"):
        scaled = number * 100 if unit == "share" else number
        return f"{format_number(scaled, 1 if digits is None else digits)} %"
    text = format_number(number, digits)
    # a missing unit (None, NaN read back from a CSV) is left out, never printed as "nan"
    shown = "" if unit is None or str(unit) in ("", "nan", "None", "<NA>") else str(unit)
    return f"{text} {shown}".strip()


def format_requirement(op: object, value: object, unit: object = None) -> str:
    """``"≤ 3,500 m"``; :data:`MISSING` when the requirement is not known (no "nan –")."""
    if _finite_or_none(value) is None:
        return MISSING
    op_text = op if isinstance(op, str) and op not in ("", "nan") else ""
    return f"{op_text} {format_value(value, unit)}".strip()


def format_verdict(reading: object, op: object, required: object, unit: object = None,
                   required_word: str = "required") -> str:
    """A reading beside its requirement that cannot be read as a true statement.

    ``"14,570 m (required ≤ 3,500 m)"`` rather than ``"(14,570 ≤ 3,500 m)"``, which states
    that 14,570 is at most 3,500. ``required_word`` is the label in the page's language
    (``"要求"`` in Chinese).

    Examples
    --------
    >>> format_verdict(14570.3, "<=", 3500, "m")
    '14,570 m (required ≤ 3,500 m)'
    """
    ops = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}
    symbol = ops.get(str(op), op)
    return f"{format_value(reading, unit)} ({required_word} " \
           f"{format_requirement(symbol, required, unit)})"
