"""The Circle of Life: the numbers per theme, and their geometry as SVG.

A sector's reach shows satisfaction (coloured by its band), a dark arc marks
importance, a hatched band shows where importance outruns satisfaction, and a
dashed arc shows an earlier reading's satisfaction.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from app.survey.definition import Band, InstrumentDefinition, Scale, Texts, Theme
from app.survey.models import Answer

RADIUS = 130.0
HOLE = 14.0
SECTOR_GAP_DEGREES = 1.5
LABEL_RADIUS = RADIUS + 12


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
class Sector:
    reading: ThemeReading
    background: str
    satisfaction: str | None
    colour: str | None
    importance: str | None
    gap: str | None
    previous: str | None
    staff: str | None
    label_x: float
    label_y: float
    label_anchor: str


def _radius(scale: Scale, value: int) -> float:
    return HOLE + (RADIUS - HOLE) * (value - scale.min) / (scale.max - scale.min)


def sectors(scale: Scale, theme_readings: list[ThemeReading]) -> list[Sector]:
    """The drawing of each theme, clockwise from the top."""
    step = 360 / len(theme_readings)
    drawn = []
    for index, reading in enumerate(theme_readings):
        start = -90 + index * step + SECTOR_GAP_DEGREES / 2
        end = start + step - SECTOR_GAP_DEGREES
        middle = (start + end) / 2
        sat_r = _radius(scale, reading.satisfaction) if reading.satisfaction is not None else None
        imp_r = _radius(scale, reading.importance) if reading.importance is not None else None
        prev = reading.previous_satisfaction
        label_x, label_y = _point(LABEL_RADIUS, middle)
        cos = math.cos(math.radians(middle))
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        drawn.append(
            Sector(
                reading=reading,
                background=annular_sector(HOLE, RADIUS, start, end),
                satisfaction=annular_sector(HOLE, sat_r, start, end) if sat_r else None,
                colour=reading.band.colour if reading.band else None,
                importance=arc(imp_r, start, end) if imp_r is not None else None,
                gap=annular_sector(sat_r, imp_r, start, end)
                if reading.gap and sat_r and imp_r
                else None,
                previous=arc(_radius(scale, prev), start, end) if prev is not None else None,
                staff=arc(_radius(scale, reading.staff), start + step / 4, end - step / 4)
                if reading.staff is not None
                else None,
                label_x=label_x,
                label_y=label_y + 4,
                label_anchor=anchor,
            )
        )
    return drawn


def grid_radii(scale: Scale) -> list[float]:
    """Rings at the band boundaries, so the bands can be read off the drawing."""
    return [round(_radius(scale, band.max), 2) for band in scale.bands]


def satisfaction_scale(definition: InstrumentDefinition) -> Scale:
    return definition.scale(definition.themes[0].item("satisfaction").scale)  # type: ignore[union-attr]
