"""Charts as inline SVG for the static report: no library, no network, readable in any
browser. Values carry a <title> so hovering shows the exact number."""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 58, 58, 12, 26
PALETTE = (
    "#3274d9", "#e0752d", "#56a64b", "#a352cc", "#e02f44",
    "#1f9b9b", "#c4a000", "#5c3d99", "#6e7f8c", "#d44a86", "#7a5230", "#0b5394",
)  # fmt: skip


@dataclass(slots=True)
class Series:
    name: str
    points: list[tuple[datetime, float]] = field(default_factory=list)
    right: bool = False
    bars: bool = False


@dataclass(frozen=True, slots=True)
class Mark:
    """An alert on the time axis: a line at `start`, a band up to `end` when it resolved."""

    start: datetime
    end: datetime | None
    text: str


def format_value(value: float, unit: str) -> str:
    if unit == "percentunit":
        return f"{value:.0%}" if abs(value) >= 0.1 or value == 0 else f"{value:.1%}"
    if unit == "s":
        if abs(value) >= 3600:
            return f"{value / 3600:.1f} h"
        return f"{value / 60:.1f} min" if abs(value) >= 120 else f"{value:.0f} s"
    if unit == "none":
        return f"{value:.2f}"
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    span = high - low or 1.0
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if raw <= m * step)
    first = math.floor(low / step) * step
    return [first + i * step for i in range(count + 2) if first + i * step <= high + step * 1e-9]


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    ticks = _ticks(low, high)
    return ticks[0], max(ticks[-1], high)


@dataclass(frozen=True, slots=True)
class TimeChart:
    """Lines (and bars) over [start, end]; series with `right` use the second unit's axis."""

    series: list[Series]
    start: datetime
    end: datetime
    bucket: timedelta
    units: tuple[str, str]
    marks: Sequence[Mark] = ()
    stacked: bool = False
    width: int = WIDTH
    """Wider for a full-width panel, so that text keeps its size when the SVG is scaled."""

    @property
    def _span(self) -> float:
        return (self.end - self.start).total_seconds() or 1.0

    def _x(self, at: datetime) -> float:
        return LEFT + (self.width - LEFT - RIGHT) * (at - self.start).total_seconds() / self._span

    def _axis(self, right: bool) -> tuple[float, float] | None:
        on_axis = [s for s in self.series if s.right == right]
        if not on_axis:
            return None
        if self.stacked and not right:
            totals: dict[datetime, float] = {}
            for s in on_axis:
                for at, v in s.points:
                    totals[at] = totals.get(at, 0.0) + v
            return _bounds(list(totals.values()))
        return _bounds([v for s in on_axis for _, v in s.points])

    def svg(self) -> str:
        axes = {right: self._axis(right) for right in (False, True)}
        inner_h = HEIGHT - TOP - BOTTOM

        def y(value: float, right: bool) -> float:
            low, high = axes[right] or (0.0, 1.0)
            return TOP + inner_h * (1 - (value - low) / (high - low))

        out = [
            f'<svg viewBox="0 0 {self.width} {HEIGHT}" class="chart-svg" role="img">',
            f'<rect x="{LEFT}" y="{TOP}" width="{self.width - LEFT - RIGHT}" height="{inner_h}" '
            'class="plot"/>',
        ]
        for right, unit in ((False, self.units[0]), (True, self.units[1])):
            bounds = axes[right]
            for tick in _ticks(*bounds) if bounds else []:
                ty = y(tick, right)
                if not right:
                    out.append(f'<line x1="{LEFT}" x2="{self.width - RIGHT}" y1="{ty:.1f}" '
                               f'y2="{ty:.1f}" class="gridline"/>')  # fmt: skip
                label_x, anchor = (self.width - RIGHT + 6, "start") if right else (LEFT - 6, "end")
                out.append(f'<text x="{label_x}" y="{ty + 4:.1f}" text-anchor="{anchor}" '
                           f'class="tick">{escape(format_value(tick, unit))}</text>')  # fmt: skip
        out += self._days()
        out += self._marks(inner_h)
        out += self._bars(lambda v: y(v, False))
        for index, s in enumerate(self.series):
            if s.bars and not s.right:
                continue
            path = " ".join(
                f"{'M' if i == 0 else 'L'}{self._x(at):.1f},{y(v, s.right):.1f}"
                for i, (at, v) in enumerate(s.points)
            )
            last_at, last = s.points[-1] if s.points else (self.start, 0.0)
            value = format_value(last, self.units[1] if s.right else self.units[0])
            out.append(f'<path d="{path}" fill="none" stroke="{_color(index)}" class="line">'
                       f'<title>{escape(s.name)}, last {last_at:%b %d %H:%M}: '
                       f'{escape(value)}</title></path>')  # fmt: skip
        out.append("</svg>")
        return "".join(out)

    def _days(self) -> list[str]:
        step = timedelta(days=max(1, round(self._span / 86400 / 7)))
        day = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        labels = []
        while day <= self.end:
            if day >= self.start:
                labels.append(f'<text x="{self._x(day):.1f}" y="{HEIGHT - 8}" '
                              f'text-anchor="middle" class="tick">{day:%b %d}</text>')  # fmt: skip
            day += step
        return labels

    def _marks(self, inner_h: float) -> list[str]:
        out = []
        for mark in self.marks:
            if not self.start <= mark.start <= self.end:
                continue
            x0 = self._x(mark.start)
            x1 = self._x(min(mark.end, self.end)) if mark.end else x0
            out.append(f'<g class="mark"><title>{escape(mark.text)}</title>'
                       f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 0):.1f}" '
                       f'height="{inner_h}" class="band"/><line x1="{x0:.1f}" x2="{x0:.1f}" '
                       f'y1="{TOP}" y2="{TOP + inner_h}"/></g>')  # fmt: skip
        return out

    def _bars(self, y: Callable[[float], float]) -> list[str]:
        """Side by side within a bucket, or stacked when the series are parts of one whole."""
        bar_series = [s for s in self.series if s.bars and not s.right]
        slot = (self.width - LEFT - RIGHT) * self.bucket.total_seconds() / self._span
        width = slot * 0.8 / (1 if self.stacked else max(len(bar_series), 1))
        base: dict[datetime, float] = {}
        out = []
        for s in bar_series:
            color = _color(self.series.index(s))
            offset = slot * 0.1 + (0 if self.stacked else bar_series.index(s) * width)
            for at, v in s.points:
                below = base.get(at, 0.0) if self.stacked else 0.0
                top, bottom = y(below + v), y(below)
                out.append(f'<rect x="{self._x(at) + offset:.1f}" y="{min(top, bottom):.1f}" '
                           f'width="{width:.1f}" height="{abs(bottom - top):.1f}" '
                           f'fill="{color}"><title>{escape(s.name)} {at:%b %d %H:%M}: '
                           f'{escape(format_value(v, self.units[0]))}</title></rect>')  # fmt: skip
                if self.stacked:
                    base[at] = below + v
        return out


def _color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def bar_chart(rows: Sequence[tuple[str, float]], unit: str) -> str:
    """Horizontal bars, one per row, on a 0..1 scale for ratios."""
    height = 26 * len(rows) + 10
    top = max([1.0 if unit == "percentunit" else 0.0, *(v for _, v in rows)]) or 1.0
    out = [f'<svg viewBox="0 0 {WIDTH} {height}" class="chart-svg" role="img">']
    for i, (label, value) in enumerate(rows):
        y0 = 6 + i * 26
        length = (WIDTH - 260) * value / top
        out.append(f'<text x="170" y="{y0 + 15}" text-anchor="end" class="label">'
                   f'{escape(label)}</text><rect x="180" y="{y0}" width="{length:.1f}" '
                   f'height="20" fill="{PALETTE[0]}"><title>{escape(label)}: '
                   f'{escape(format_value(value, unit))}</title></rect>'
                   f'<text x="{186 + length:.1f}" y="{y0 + 15}" class="label">'
                   f'{escape(format_value(value, unit))}</text>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)
