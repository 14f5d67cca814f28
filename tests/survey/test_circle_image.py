"""The downloaded circle says itself (whose, when, what its marks mean), and an importance
equal to the satisfaction shows as a line of its own, in the picture a person sees."""

import math
import re
import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.factories import THEME_IDS, make_completed_assessment, make_young_person, sign_in
from tests.survey.pixels import decode
from tests.survey.test_circle import SVG, everything, sectors

DARK, LIGHT = 0.35, 0.8  # a pixel's lightness: a line, and the background between lines


def _view_box(svg: str) -> list[float]:
    found = re.search(r'<svg [^>]*viewBox="([^"]+)" class="circle"', svg)
    assert found
    return [float(v) for v in found.group(1).split()]


def test_the_downloaded_circle_names_whose_it_is_when_and_what_its_marks_mean(
    client: TestClient, session: Session
) -> None:
    latest = everything(client, session)  # compared with May; a case manager's reading
    svg = client.get(f"/assessments/{latest}/circle.svg").text
    root = ET.fromstring(svg)
    heading = " ".join(t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "heading")
    assert heading == (
        "Test Person's Circle of Life Completed on 14.11.2026 Since May, satisfaction has gone "
        "up in 7 areas, gone down in 2 areas, and stayed the same in 1 area. Those that went "
        "down are worth talking about together."
    )
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "legend-mark"]
    assert [g.get("data-kind") for g in marks] == [
        "band-low",
        "band-middle",
        "band-high",
        "unanswered",
        "importance",
        "gap",
        "staff",
        "previous",
    ]
    words = [" ".join(t.text or "" for t in g.iter(f"{SVG}text")) for g in marks]
    assert words[0] == "Satisfaction 0–5: worth talking about"
    assert words[-1] == "Dashed line: satisfaction on 20.5.2026"
    # Whose, when and the legend take room of their own above and below the circle.
    assert _view_box(svg)[3] > _view_box(client.get(f"/assessments/{latest}").text)[3] + 200

    picture = decode(client.get(f"/assessments/{latest}/circle.png").content, rows=1)
    assert (picture.width, picture.height) == (
        int(root.get("width", 0)),
        int(root.get("height", 0)),
    )


def _radius(path: str) -> float:
    """The first arc's radius of a path ("M x y A r r ...")."""
    return float(path.split("A", 1)[1].split(" ", 1)[0])


def test_an_importance_equal_to_the_satisfaction_is_a_line_of_its_own(
    client: TestClient, session: Session
) -> None:
    """All fives: the importance line is drawn just outside each wedge's edge, a light band
    between the two, where before it lay on the edge and could not be told from it."""
    person = make_young_person(session, locale="en")
    fives: dict[str, int | str | None] = {
        f"{t}.{v}": 5 for t in THEME_IDS for v in ("satisfaction", "importance")
    }
    assessment = make_completed_assessment(session, person, fives)
    sign_in(client, person)
    svg = client.get(f"/assessments/{assessment.id}/circle.svg").text
    paths = {p.get("class"): p.get("d", "") for p in sectors(svg)[THEME_IDS[0]].iter(f"{SVG}path")}
    edge = _radius(paths["satisfaction"])
    shift = re.search(r'<g transform="translate\(([-\d.]+) ([-\d.]+)\)">', svg)
    assert shift
    dx, dy = float(shift.group(1)), float(shift.group(2))

    # Along the middle of the first sector (clockwise from twelve o'clock), outward from
    # inside the wedge, a quarter of a unit at a time (the PNG is drawn twice the size).
    middle = math.radians(-90 + 360 / len(THEME_IDS) / 2)
    points = [
        (2 * (dx + r * math.cos(middle)), 2 * (dy + r * math.sin(middle)))
        for r in (edge - 4 + step / 4 for step in range(64))
    ]
    png = client.get(f"/assessments/{assessment.id}/circle.png").content
    picture = decode(png, rows=math.ceil(max(y for _x, y in points)) + 2)
    seen = "".join(
        "D" if g < DARK else "L" if g > LIGHT else "-"
        for g in (picture.grey(x, y) for x, y in points)
    )
    # The wedge's edge, the background, the importance line: two dark lines, light between.
    assert re.fullmatch(r"[^D]*D[D-]*L+[L-]*D+[^D]*", seen), seen
