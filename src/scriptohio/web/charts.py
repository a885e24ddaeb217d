"""Charts as inline SVG, computed without I/O: a diverging bar chart (feature contributions),
a line chart over weeks (a season's trend) and a calibration plot (predicted against observed).

Each chart is an ``<svg role="img">`` with a ``<title>`` and ``<desc>`` for screen readers;
the page shows the same numbers in a table next to it. Colours come from CSS classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

__all__ = ["Bar", "Series", "bar_chart", "calibration_chart", "line_chart"]


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float


@dataclass(frozen=True, slots=True)
class Series:
    """One line: points ``(x, y)``; ``css`` names its class (``actual``, ``predicted``)."""

    name: str
    points: tuple[tuple[float, float], ...]
    css: str


def _num(value: float) -> str:
    return f"{value:.1f}"


def bar_chart(bars: Sequence[Bar], *, title: str, desc: str, width: int = 520,
              row: int = 26, label_width: int = 165) -> Markup:
    """Horizontal bars from a zero line: positive right (class ``pos``), negative left."""
    height = row * len(bars) + 30
    span = max((abs(b.value) for b in bars), default=1.0) or 1.0
    plot = width - label_width - 60
    zero = label_width + plot / 2
    scale = (plot / 2) / span
    parts = [f'<svg class="chart bars" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="bars-t bars-d" preserveAspectRatio="xMinYMin meet">',
             f'<title id="bars-t">{escape(title)}</title><desc id="bars-d">{escape(desc)}</desc>']
    for i, bar in enumerate(bars):
        y = 10 + i * row
        length = abs(bar.value) * scale
        x = zero if bar.value >= 0 else zero - length
        css = "pos" if bar.value >= 0 else "neg"
        text_x = zero + length + 4 if bar.value >= 0 else zero - length - 4
        anchor = "start" if bar.value >= 0 else "end"
        parts.append(
            f'<text class="label" x="{label_width - 8}" y="{_num(y + row * 0.6)}" '
            f'text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="{css}" x="{_num(x)}" y="{y + 3}" width="{_num(max(length, 1))}" '
            f'height="{row - 8}"/>'
            f'<text class="value" x="{_num(text_x)}" y="{_num(y + row * 0.6)}" '
            f'text-anchor="{anchor}">{bar.value:+.2f}</text>')
    parts.append(f'<line class="axis" x1="{_num(zero)}" y1="4" x2="{_num(zero)}" '
                 f'y2="{height - 16}"/></svg>')
    return Markup("".join(parts))


def line_chart(series: Sequence[Series], *, title: str, desc: str, x_label: str,
               y_label: str, width: int = 560, height: int = 260) -> Markup:
    """Lines over a shared x axis with a zero line, tick labels and a legend."""
    xs = [x for s in series for x, _ in s.points]
    ys = [y for s in series for _, y in s.points] + [0.0]
    if not xs:
        return Markup("")
    left, right, top, bottom = 48, 16, 16, 44
    x_lo, x_hi = min(xs), max(xs)
    y_lo, y_hi = min(ys), max(ys)
    pad = max((y_hi - y_lo) * 0.08, 1.0)
    y_lo, y_hi = y_lo - pad, y_hi + pad

    def px(x: float) -> float:
        return left + (x - x_lo) / ((x_hi - x_lo) or 1.0) * (width - left - right)

    def py(y: float) -> float:
        return top + (y_hi - y) / (y_hi - y_lo) * (height - top - bottom)

    parts = [f'<svg class="chart lines" viewBox="0 0 {width} {height}" role="img" '
             f'aria-labelledby="lines-t lines-d" preserveAspectRatio="xMinYMin meet">',
             f'<title id="lines-t">{escape(title)}</title><desc id="lines-d">{escape(desc)}</desc>',
             f'<line class="zero" x1="{left}" x2="{width - right}" y1="{_num(py(0))}" '
             f'y2="{_num(py(0))}"/>']
    for tick in sorted({round(x) for x in xs}):
        parts.append(f'<text class="tick" x="{_num(px(tick))}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{tick}</text>')
    step = _tick_step(y_hi - y_lo)
    tick_y = step * int(y_lo // step + 1)
    while tick_y < y_hi:
        parts.append(f'<text class="tick" x="{left - 6}" y="{_num(py(tick_y) + 4)}" '
                     f'text-anchor="end">{tick_y:g}</text>')
        tick_y += step
    parts.append(f'<text class="axis-label" x="{_num((left + width - right) / 2)}" '
                 f'y="{height - 6}" text-anchor="middle">{escape(x_label)}</text>'
                 f'<text class="axis-label" x="12" y="{_num((top + height - bottom) / 2)}" '
                 f'text-anchor="middle" transform="rotate(-90 12 '
                 f'{_num((top + height - bottom) / 2)})">{escape(y_label)}</text>')
    for i, s in enumerate(series):
        path = " ".join(f"{_num(px(x))},{_num(py(y))}" for x, y in s.points)
        parts.append(f'<polyline class="{s.css}" points="{path}"/>')
        parts.extend(f'<circle class="{s.css}" cx="{_num(px(x))}" cy="{_num(py(y))}" r="3.5"/>'
                     for x, y in s.points)
        lx = left + 8 + i * 160
        parts.append(f'<line class="{s.css}" x1="{lx}" x2="{lx + 18}" y1="{top}" y2="{top}"/>'
                     f'<text class="legend" x="{lx + 24}" y="{top + 4}">{escape(s.name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def calibration_chart(points: Sequence[tuple[float, float, int]], *, title: str, desc: str,
                      size: int = 320) -> Markup:
    """Predicted probability (x) against the observed rate (y) per bin, on the diagonal of
    perfect calibration; a point's area grows with its games."""
    pad = 48
    inner = size - 2 * pad
    most = max((n for _, _, n in points), default=1)

    def at(value: float) -> float:
        return pad + value * inner

    parts = [f'<svg class="chart calibration" viewBox="0 0 {size} {size}" role="img" '
             f'aria-labelledby="cal-t cal-d">',
             f'<title id="cal-t">{escape(title)}</title><desc id="cal-d">{escape(desc)}</desc>',
             f'<rect class="frame" x="{pad}" y="{pad}" width="{inner}" height="{inner}"/>',
             f'<line class="zero" x1="{pad}" y1="{pad + inner}" x2="{pad + inner}" y2="{pad}"/>']
    for tick in (0.0, 0.5, 1.0):
        parts.append(f'<text class="tick" x="{_num(at(tick))}" y="{size - pad + 16}" '
                     f'text-anchor="middle">{tick:.0%}</text>'
                     f'<text class="tick" x="{pad - 6}" y="{_num(size - at(tick) + 4)}" '
                     f'text-anchor="end">{tick:.0%}</text>')
    parts.append(f'<text class="axis-label" x="{size / 2}" y="{size - 6}" '
                 f'text-anchor="middle">predicted home win probability</text>'
                 f'<text class="axis-label" x="12" y="{size / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {size / 2})">home teams that won</text>')
    for predicted, observed, games in points:
        radius = 3 + 7 * (games / most) ** 0.5
        parts.append(f'<circle class="point" cx="{_num(at(predicted))}" '
                     f'cy="{_num(size - at(observed))}" r="{radius:.1f}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick_step(span: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if span / step <= 8:
            return float(step)
    return 200.0
