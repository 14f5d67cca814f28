"""The Circle of Life: the numbers per theme, and their geometry as SVG.

A sector's reach shows satisfaction (painted by its band, light to dark), a black arc
marks importance (beside the reach's edge when the two are equal), a hatched band shows
where importance outruns satisfaction, a dashed arc shows an earlier reading's satisfaction.
Each sector's number sits in a badge on its rim; a 0 is a thin wedge, an unanswered
satisfaction a dashed outline and "–".
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.survey.definition import Band, InstrumentDefinition, Scale, Texts, Theme
from app.survey.models import Answer

RADIUS = 100.0
HOLE = 12.0
MIN_REACH = 4.0  # a 0 is a thin wedge, never nothing: it differs from "not answered"
SECTOR_GAP_DEGREES = 1.5
IMPORTANCE_WIDTH = 3.5  # the importance arc's stroke
# The importance arc's centre and a satisfaction edge it would cover are at least this far
# apart: a clear band of the background (or the fill) between the two lines.
IMPORTANCE_APART = 4.5
# Labels and the numbers in the badges are set in one size, in user units: the drawing is
# as wide as its labels need, and on a 390 px phone that makes them >= 14 px.
TEXT_SIZE = 18
BADGE_SIZE = 13  # a badge's radius: holds "10" in bold
BADGE_RADIUS = RADIUS + 3 + BADGE_SIZE
LABEL_RADIUS = BADGE_RADIUS + BADGE_SIZE + 7
LINE_HEIGHT = 20
CLEARANCE = 0.4 * TEXT_SIZE  # below a baseline: the descenders, and a little air
# Of the font size, a little over what the widest common sans-serif (DejaVu Sans) takes per
# character; the drawing lets a label spill over its edge rather than cut it (app.css).
CHAR_WIDTH = 0.56
WRAP_AT = 10  # a longer label with a space is set on two lines

# The band kinds' fills go from light to dark (one step apart in greyscale too, so they
# stay distinct for colour-blind eyes), and every line drawn over them keeps >= 3:1
# against each fill it crosses (WCAG 1.4.11); tests/survey/test_circle.py checks.
BAND_FILLS = {"low": "#fee3c0", "middle": "#74a8d4", "high": "#3a78b8"}
PAINT = {
    "reach": "#f4f6f8",
    "outline": "#59626d",
    "edge": "#1a1a1a",
    "importance": "#000000",
    "previous": "#1a1a1a",
    "staff": "#2b0f45",
    "hatch": "#ffffff",
    "stripes": "#b35900",
    "text": "#1a1a1a",
}


@dataclass(frozen=True)
class ThemeReading:
    theme_id: str
    title: Texts
    short_title: Texts
    importance: int | None
    satisfaction: int | None
    band: Band | None
    gap: bool
    previous_importance: int | None = None
    previous_satisfaction: int | None = None
    comment: str | None = None
    staff: int | None = None  # the case manager's reading, beside the person's own
    staff_differs: bool = False

    @property
    def change(self) -> int | None:
        if self.satisfaction is None or self.previous_satisfaction is None:
            return None
        return self.satisfaction - self.previous_satisfaction


def _text(answers: Mapping[str, Answer], theme: Theme) -> str | None:
    item = theme.item("future")
    answer = answers.get(item.id) if item else None
    return answer.value_text if answer else None


def _differs(staff: int | None, satisfaction: int | None, disagreement: int) -> bool:
    """The case manager's reading is far enough from the person's own to be pointed out."""
    if staff is None or satisfaction is None:
        return False
    return abs(staff - satisfaction) >= disagreement


def readings(
    definition: InstrumentDefinition,
    answers: Mapping[str, Answer],
    previous: tuple[InstrumentDefinition, Mapping[str, Answer]] | None = None,
    staff: Mapping[str, int] | None = None,
    disagreement: int = 3,
) -> list[ThemeReading]:
    """One reading per theme; an earlier assessment is matched by theme id."""
    staff = staff or {}
    importances = definition.ratings(answers, "importance")
    satisfactions = definition.ratings(answers, "satisfaction")
    before = previous[0].ratings(previous[1], "importance") if previous else {}
    before_satisfied = previous[0].ratings(previous[1], "satisfaction") if previous else {}
    result = []
    for theme in definition.themes:
        importance, satisfaction = importances[theme.id], satisfactions[theme.id]
        scale = definition.scale(theme.item("satisfaction").scale)  # type: ignore[union-attr]
        result.append(
            ThemeReading(
                theme_id=theme.id,
                title=theme.title,
                short_title=theme.short_title,
                importance=importance,
                satisfaction=satisfaction,
                band=scale.band_for(satisfaction) if satisfaction is not None else None,
                gap=definition.more_important_than_satisfying(importance, satisfaction),
                previous_importance=before.get(theme.id),
                previous_satisfaction=before_satisfied.get(theme.id),
                comment=_text(answers, theme),
                staff=staff.get(theme.id),
                staff_differs=_differs(staff.get(theme.id), satisfaction, disagreement),
            )
        )
    return result


def _point(radius: float, degrees: float) -> tuple[float, float]:
    radians = math.radians(degrees)
    return round(radius * math.cos(radians), 2), round(radius * math.sin(radians), 2)


def annular_sector(inner: float, outer: float, start: float, end: float) -> str:
    """SVG path of a ring segment between two radii and two angles (degrees, 0 = east)."""
    x0, y0 = _point(outer, start)
    x1, y1 = _point(outer, end)
    x2, y2 = _point(inner, end)
    x3, y3 = _point(inner, start)
    large = 1 if end - start > 180 else 0
    return (
        f"M{x0} {y0}A{outer} {outer} 0 {large} 1 {x1} {y1}"
        f"L{x2} {y2}A{inner} {inner} 0 {large} 0 {x3} {y3}Z"
    )


def arc(radius: float, start: float, end: float) -> str:
    x0, y0 = _point(radius, start)
    x1, y1 = _point(radius, end)
    return f"M{x0} {y0}A{radius} {radius} 0 0 1 {x1} {y1}"


@dataclass(frozen=True)
class Label:
    """A theme's name beside its sector, on one or two lines."""

    x: float
    y: float  # the first line's baseline
    anchor: str
    lines: tuple[str, ...]

    @property
    def width(self) -> float:
        return max(len(line) for line in self.lines) * CHAR_WIDTH * TEXT_SIZE

    def extent(self) -> tuple[float, float, float, float]:
        """Left, top, right, bottom (estimated), for the drawing's bounds."""
        left = {"start": self.x, "end": self.x - self.width}.get(self.anchor)
        left = self.x - self.width / 2 if left is None else left
        bottom = self.y + (len(self.lines) - 1) * LINE_HEIGHT + 0.3 * TEXT_SIZE
        return left, self.y - TEXT_SIZE, left + self.width, bottom


def _lines(text: str) -> tuple[str, ...]:
    if len(text) <= WRAP_AT or " " not in text:
        return (text,)
    spaces = [i for i, char in enumerate(text) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return text[:cut], text[cut + 1 :]


def _label(text: str, middle: float, marked: bool) -> Label:
    """The name beside a sector; " !" marks one more important than satisfying."""
    x, y = _point(LABEL_RADIUS, middle)
    cos, sin = math.cos(math.radians(middle)), math.sin(math.radians(middle))
    anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
    lines = _lines(text)
    lines = (*lines[:-1], f"{lines[-1]} !") if marked else lines
    grows_up = 1.0 if sin < -0.3 else (0.0 if sin > 0.3 else 0.5)
    first = y + 0.35 * TEXT_SIZE - (len(lines) - 1) * LINE_HEIGHT * grows_up
    badge_y = _point(BADGE_RADIUS, middle)[1]
    if grows_up == 1.0:  # above the circle: the last line's descenders clear the badge
        last = min(first + (len(lines) - 1) * LINE_HEIGHT, badge_y - BADGE_SIZE - CLEARANCE)
        first = last - (len(lines) - 1) * LINE_HEIGHT
    elif grows_up == 0.0:  # below: the first line's capitals clear it
        first = max(first, badge_y + BADGE_SIZE + TEXT_SIZE)
    return Label(x=x, y=round(first, 2), anchor=anchor, lines=lines)


@dataclass(frozen=True)
class Sector:
    reading: ThemeReading
    background: str
    satisfaction: str | None
    colour: str | None
    importance: str | None
    gap: str | None
    previous: str | None
    staff: str | None
    badge: tuple[float, float]
    label: Label
    # The band boundaries across the sector, under its edge and lines (never over them).
    rings: tuple[str, ...] = ()

    @property
    def unanswered(self) -> bool:
        return self.reading.satisfaction is None


def _radius(scale: Scale, value: int) -> float:
    return HOLE + (RADIUS - HOLE) * (value - scale.min) / (scale.max - scale.min)


def _reach(scale: Scale, value: int | None) -> float | None:
    return None if value is None else max(_radius(scale, value), HOLE + MIN_REACH)


def _importance_radius(scale: Scale, importance: int | None, reach: float | None) -> float | None:
    """Where the importance arc is drawn: at its value, but beside the satisfaction's edge
    where the two meet (an all-5 circle), outside it where there is room, so that the line
    never hides in the edge."""
    radius = _reach(scale, importance)
    if radius is None or reach is None or abs(radius - reach) >= IMPORTANCE_APART:
        return radius
    outside = reach + IMPORTANCE_APART
    return outside if outside + IMPORTANCE_WIDTH / 2 <= RADIUS else reach - IMPORTANCE_APART


def _sector(reading: ThemeReading, scale: Scale, start: float, end: float) -> Sector:
    middle = (start + end) / 2
    quarter = (end - start) / 4
    sat_r = _reach(scale, reading.satisfaction)
    imp_r = _importance_radius(scale, reading.importance, sat_r)
    prev = reading.previous_satisfaction
    return Sector(
        reading=reading,
        background=annular_sector(HOLE, RADIUS, start, end),
        satisfaction=annular_sector(HOLE, sat_r, start, end) if sat_r else None,
        colour=BAND_FILLS[reading.band.id] if reading.band else None,
        importance=arc(imp_r, start, end) if imp_r is not None else None,
        gap=annular_sector(sat_r, imp_r, start, end) if reading.gap and sat_r and imp_r else None,
        previous=arc(_radius(scale, prev), start, end) if prev is not None else None,
        staff=arc(_radius(scale, reading.staff), start + quarter, end - quarter)
        if reading.staff is not None
        else None,
        badge=_point(BADGE_RADIUS, middle),
        label=_label(str(reading.short_title), middle, reading.gap),
        rings=tuple(arc(radius, start, end) for radius in grid_radii(scale)),
    )


def sectors(scale: Scale, theme_readings: list[ThemeReading]) -> list[Sector]:
    """The drawing of each theme, clockwise from the top."""
    step = 360 / len(theme_readings)
    drawn = []
    for index, reading in enumerate(theme_readings):
        start = -90 + index * step + SECTOR_GAP_DEGREES / 2
        drawn.append(_sector(reading, scale, start, start + step - SECTOR_GAP_DEGREES))
    return drawn


def view_box(drawn: list[Sector], margin: float = 4) -> tuple[float, float, float, float]:
    """x, y, width, height holding the circle, its badges and every label."""
    outer = BADGE_RADIUS + BADGE_SIZE
    edges = [(-outer, -outer, outer, outer)]
    edges += [sector.label.extent() for sector in drawn]
    left = min(e[0] for e in edges) - margin
    top = min(e[1] for e in edges) - margin
    right = max(e[2] for e in edges) + margin
    bottom = max(e[3] for e in edges) + margin
    return round(left), round(top), round(right - left), round(bottom - top)


def grid_radii(scale: Scale) -> list[float]:
    """Rings at the band boundaries, so the bands can be read off the drawing."""
    return [round(_radius(scale, band.max), 2) for band in scale.bands]


def satisfaction_scale(definition: InstrumentDefinition) -> Scale:
    return definition.scale(definition.themes[0].item("satisfaction").scale)  # type: ignore[union-attr]
