"""The weight chart: an SVG drawn on the server, so it needs no JavaScript and no chart
library, works offline and prints. Screen readers get a title and a description, and the
page shows the same figures as a table beside it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 28, 36


def _nice_range(low: float, high: float) -> tuple[float, float]:
    if low == high:
        pad = max(abs(low) * 0.1, 0.5)
        return max(low - pad, 0.0), high + pad
    pad = (high - low) * 0.1
    return max(low - pad, 0.0), high + pad


def _fmt(kg: float) -> str:
    return f"{kg:.1f}" if kg < 100 else f"{kg:.0f}"


def weight_chart_svg(points: Sequence[tuple[Any, float]], *, name: str = "") -> SafeString:
    """An SVG line chart of (date, kg) points, oldest first. Empty string without points."""
    if not points:
        return mark_safe("")  # noqa: S308
    days = [d.toordinal() for d, _ in points]
    kgs = [kg for _, kg in points]
    d0, d1 = min(days), max(days)
    if d0 == d1:
        d0, d1 = d0 - 1, d1 + 1
    lo, hi = _nice_range(min(kgs), max(kgs))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: int) -> float:
        return LEFT + (day - d0) / (d1 - d0) * plot_w

    def y(kg: float) -> float:
        return TOP + (1 - (kg - lo) / (hi - lo)) * plot_h

    first, last = points[0], points[-1]
    title = f"Weight of {name}" if name else "Weight"
    desc = (
        f"{len(points)} weighings from {first[0]:%d %b %Y} ({_fmt(first[1])} kg) "
        f"to {last[0]:%d %b %Y} ({_fmt(last[1])} kg)."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="weight-chart-title weight-chart-desc">',
        f'<title id="weight-chart-title">{escape(title)}</title>',
        f'<desc id="weight-chart-desc">{escape(desc)}</desc>',
    ]
    # Four horizontal grid lines with their kg labels.
    for i in range(5):
        kg = lo + (hi - lo) * i / 4
        gy = y(kg)
        parts.append(
            f'<line class="grid" x1="{LEFT}" y1="{gy:.1f}" x2="{WIDTH - RIGHT}" y2="{gy:.1f}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{gy + 4:.1f}" text-anchor="end">{_fmt(kg)}</text>')
    parts.append(
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}"/>'
        f'<line class="axis" x1="{LEFT}" y1="{HEIGHT - BOTTOM}" '
        f'x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}"/>'
        f'<text x="{LEFT - 6}" y="{TOP - 14}" text-anchor="end">kg</text>'
    )
    # Date labels at the first and last weighing (and the middle one when there are many).
    label_days = {days[0], days[-1]}
    if len(days) > 4:
        label_days.add(days[len(days) // 2])
    for day in sorted(label_days):
        anchor = "start" if day == days[0] else "end" if day == days[-1] else "middle"
        parts.append(
            f'<text x="{x(day):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="{anchor}">'
            f"{date.fromordinal(day):%d %b %Y}</text>"
        )
    coords = " ".join(f"{x(d):.1f},{y(kg):.1f}" for d, kg in zip(days, kgs, strict=True))
    parts.append(f'<polyline class="line" points="{coords}"/>')
    for (when, kg), day in zip(points, days, strict=True):
        parts.append(
            f'<circle class="point" cx="{x(day):.1f}" cy="{y(kg):.1f}" r="4">'
            f"<title>{when:%d %b %Y}: {_fmt(kg)} kg</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped or numeric
