"""The Circle of Life as a picture of its own (the SVG the PNG download is rendered from):
whose circle and when above it, what its marks mean below it, so that the file still says
itself when it is printed or sent on. Text is set in lines by an estimate of its width, as
the circle's labels are (`app/survey/circle.py` `CHAR_WIDTH`)."""

from dataclasses import dataclass

from app.survey.circle import CHAR_WIDTH

PAD = 16  # around everything, in the circle's user units
HEADING_SIZE = 22
TEXT_SIZE = 15
LINE_GAP = 1.3  # a line's height, of its font size
SWATCH = (20, 14)  # a legend mark's width and height
SWATCH_GAP = 8
MIN_WIDTH = 420  # wide enough for the legend's words when the circle's labels are short


@dataclass(frozen=True)
class Line:
    x: float
    y: float  # the baseline
    text: str
    size: int
    bold: bool = False


@dataclass(frozen=True)
class Mark:
    """A legend entry: its swatch's top-left corner, its kind, and its words' lines."""

    x: float
    y: float
    kind: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Image:
    width: float
    height: float
    heading: tuple[Line, ...]
    offset: tuple[float, float]  # where the circle's drawing is moved to
    legend: tuple[Mark, ...]


def wrap(text: str, size: int, width: float) -> list[str]:
    """The text in lines no wider (by estimate) than `width`; a word longer stays whole."""
    most = max(1, int(width / (CHAR_WIDTH * size)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _lines(text: str, x: float, top: float, size: int, width: float, bold: bool) -> list[Line]:
    step = size * LINE_GAP
    return [
        Line(x, round(top + size + index * step, 1), line, size, bold)
        for index, line in enumerate(wrap(text, size, width))
    ]


def layout(
    box: tuple[float, float, float, float], heading: list[str], legend: list[tuple[str, str]]
) -> Image:
    """The heading's lines (the first bold and larger), the circle's drawing (`box` as
    `circle.view_box` gives it) centred below them, and the legend below it."""
    width = max(box[2], MIN_WIDTH) + 2 * PAD
    inner = width - 2 * PAD
    top: float = PAD
    lines: list[Line] = []
    for index, text in enumerate(heading):
        size = HEADING_SIZE if index == 0 else TEXT_SIZE
        lines += _lines(text, PAD, top, size, inner, bold=index == 0)
        top = lines[-1].y + size * (LINE_GAP - 1) + 4
    offset = (round((width - box[2]) / 2 - box[0], 1), round(top + 8 - box[1], 1))
    top += 8 + box[3] + 8
    marks = []
    text_x = PAD + SWATCH[0] + SWATCH_GAP
    for kind, text in legend:
        words = _lines(text, text_x, top, TEXT_SIZE, width - PAD - text_x, bold=False)
        # The swatch stands beside the first line, centred on its letters.
        marks.append(
            Mark(PAD, round(words[0].y - 0.35 * TEXT_SIZE - SWATCH[1] / 2, 1), kind, tuple(words))
        )
        top = words[-1].y + TEXT_SIZE * (LINE_GAP - 1) + 6
    return Image(round(width), round(top + PAD), tuple(lines), offset, tuple(marks))
