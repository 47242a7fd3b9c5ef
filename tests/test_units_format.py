"""One number formatter for every page, sheet, map and the command line (siting.units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from siting.units import (MISSING, format_number, format_requirement, format_value,
                          format_verdict)


@pytest.mark.parametrize("value, text", [
    (22829.4, "22,829"), (14570.3, "14,570"), (1.457e4, "14,570"), (24_870_895, "24,870,895"),
    (3.5, "3.5"), (5.0, "5"), (0.53676, "0.537"), (0, "0"), (-0.0001, "0"),
    (1e12, "1,000,000,000,000"), (np.float32(3500), "3,500"), ("1234.5", "1,234"),
])
def test_numbers_have_separators_and_never_scientific_notation(value, text):
    assert format_number(value) == text
    assert "e+" not in format_number(value) and "e-" not in format_number(value)


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, "x", pd.NaT])
def test_missing_is_a_dash_never_nan(value):
    assert format_number(value) == MISSING == "—"
    assert format_value(value, "m") == MISSING
    assert format_requirement("≤", value, "m") == MISSING


def test_values_keep_their_units():
    assert format_value(14570.3, "m") == "14,570 m"
    assert format_value(0.4470, "share") == "44.7 %"
    assert format_value(22829, "people per facility") == "22,829 people per facility"
    assert format_value(3.0, float("nan")) == "3"          # a unit read back as NaN
    assert format_requirement(float("nan"), float("nan"), float("nan")) == MISSING  # "nan –"


def test_a_verdict_sentence_cannot_read_as_a_true_statement():
    # the trial's "(14,570 ≤ 3,500 m)" stated that 14,570 is at most 3,500
    assert format_verdict(14570.3, "≤", 3500, "m") == "14,570 m (required ≤ 3,500 m)"
    assert format_verdict(14570.3, "<=", 3500, "m", "要求") == "14,570 m (要求 ≤ 3,500 m)"
    assert format_verdict(0.3675, "≥", 1.0, "share") == "36.8 % (required ≥ 100.0 %)"
