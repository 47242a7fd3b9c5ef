"""Inline SVG bar charts for report pages (no plotting library, no images to ship).

An SVG string drops straight into the HTML, prints sharply, scales with the page and opens
offline; a page of a few bars does not justify matplotlib as a dependency.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

PASS, FAIL, UNDECIDED = "#1a9850", "#d73027", "#9e9e9e"


def verdict_colour(passed: object) -> str:
    """Green for a pass, red for a fail, grey when not decided (None / NA)."""
    if passed is None or (not isinstance(passed, str) and _isna(passed)):
        return UNDECIDED
    return PASS if bool(passed) else FAIL


def _isna(value: object) -> bool:
    try:
        return bool(np.isnan(value))  # type: ignore[arg-type]
    except TypeError:
        return value is None or str(value) == "<NA>"


def bar_chart_svg(labels: Sequence[str], values: Sequence[float], colours: Sequence[str], *,
                  texts: Sequence[str] | None = None, reference: float | None = None,
                  reference_label: str = "", max_value: float | None = None,
                  title: str = "", width: int = 640, bar_height: int = 22,
                  label_width: int = 170) -> str:
    """Horizontal bars, one per label, with an optional vertical reference line.

    Parameters
    ----------
    labels, values, colours
        One entry per bar. NaN values draw no bar (the text says why).
    texts
        Text printed after each bar (default: the value).
    reference
        Draw a dashed line at this value (e.g. 1.0 = the requirement is just met).
    max_value
        Right end of the axis; bars beyond it are clipped and marked with an arrow.
    title
        Caption above the bars (also the SVG's accessible title).

    Returns
    -------
    str
        An ``<svg>`` element.
    """
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    top = max_value if max_value is not None else (
        max(float(finite.max()) if len(finite) else 1.0, reference or 0.0) * 1.1 or 1.0)
    text_width = 120
    plot = max(width - label_width - text_width, 50)
    head = 24 if title else 6
    height = head + bar_height * len(labels) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="siting-chart" role="img" '
           f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="sans-serif" font-size="12">']
    if title:
        out.append(f"<title>{html.escape(title)}</title>"
                   f'<text x="0" y="15" font-weight="bold">{html.escape(title)}</text>')
    for i, (label, value, colour) in enumerate(zip(labels, values, colours)):
        y = head + i * bar_height
        out.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.68:.1f}" '
                   f'text-anchor="end">{html.escape(str(label))}</text>')
        length = 0.0 if not np.isfinite(value) else min(max(value, 0.0), top) / top * plot
        out.append(f'<rect class="bar" x="{label_width}" y="{y + 3}" width="{length:.1f}" '
                   f'height="{bar_height - 6}" fill="{colour}"/>')
        clipped = np.isfinite(value) and value > top
        shown = (texts[i] if texts is not None else
                 ("–" if not np.isfinite(value) else f"{value:,.2f}")) + (" ▶" if clipped else "")
        out.append(f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.68:.1f}">'
                   f"{html.escape(shown)}</text>")
    if reference is not None and reference <= top:
        x = label_width + reference / top * plot
        out.append(f'<line x1="{x:.1f}" y1="{head - 2}" x2="{x:.1f}" y2="{height - 4}" '
                   f'stroke="#333" stroke-dasharray="4 3"/>')
        if reference_label:
            out.append(f'<text x="{x + 3:.1f}" y="{height - 1}" font-size="10" fill="#333">'
                       f"{html.escape(reference_label)}</text>")
    out.append("</svg>")
    return "".join(out)


__all__ = ["FAIL", "PASS", "UNDECIDED", "bar_chart_svg", "verdict_colour"]
