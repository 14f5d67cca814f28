"""The Circle of Life as drawn: kind words, 0 unlike "not answered", colours that stay
apart without colour vision, lines that stand out (WCAG 1.4.11), the PNG download."""

import itertools
import struct
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.survey import readings
from tests.factories import (
    THEME_IDS,
    assign,
    make_case_manager,
    make_completed_assessment,
    make_young_person,
    sign_in,
)

SVG = "{http://www.w3.org/2000/svg}"
MAY = datetime(2026, 5, 20, 9, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 14, 9, tzinfo=UTC)
# Machado et al. (2009), full severity, on linear RGB
PROTANOPIA = ((0.152, 1.053, -0.205), (0.115, 0.786, 0.099), (-0.004, -0.048, 1.052))
DEUTERANOPIA = ((0.367, 0.861, -0.228), (0.280, 0.673, 0.047), (-0.012, 0.043, 0.969))


def _linear(colour: str) -> tuple[float, ...]:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    return tuple(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)


def luminance(colour: str, seen: tuple[tuple[float, ...], ...] | None = None) -> float:
    rgb = _linear(colour)
    if seen:
        rgb = tuple(
            max(0.0, min(1.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in seen
        )
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def contrast(first: float, second: float) -> float:
    return (max(first, second) + 0.05) / (min(first, second) + 0.05)


def everything(client: TestClient, session: Session) -> int:
    """A person, signed in, with two circles (every band, a gap) and a case manager's
    reading; returns the latest circle's assessment id."""
    person = make_young_person(session, locale="en")
    earlier = {f"{t}.satisfaction": 2 for t in THEME_IDS}
    make_completed_assessment(session, person, earlier, completed_at=MAY)
    values: dict[str, int | str | None] = {}
    for index, theme in enumerate(THEME_IDS):
        values[f"{theme}.satisfaction"] = index  # 0..9: every band
        values[f"{theme}.importance"] = 10
    latest = make_completed_assessment(session, person, values, completed_at=NOVEMBER)
    manager = make_case_manager(session)
    assign(session, manager, person)
    staff = {theme: str(10 - i) for i, theme in enumerate(THEME_IDS)}
    readings.record(session, actor=manager, assessment=latest, values=staff)
    sign_in(client, person)
    return latest.id or 0


def sectors(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-theme", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "sector"}


def _paths(group: ET.Element, kind: str) -> list[ET.Element]:
    return [p for p in group.iter(f"{SVG}path") if p.get("class") == kind]


def test_zero_and_not_answered_look_different(client: TestClient, session: Session) -> None:
    person = make_young_person(session, locale="en")
    values: dict[str, int | str | None] = {"finance.satisfaction": 0, "housing.importance": 7}
    assessment = make_completed_assessment(session, person, values)
    sign_in(client, person)
    drawn = sectors(client.get(f"/assessments/{assessment.id}/circle.svg").text)

    zero, only_importance = drawn["finance"], drawn["housing"]
    assert zero.get("data-unanswered") is None and len(_paths(zero, "satisfaction")) == 1
    assert [t.text for t in zero.iter(f"{SVG}text") if t.get("class") == "value"] == ["0"]
    assert only_importance.get("data-unanswered") == ""
    assert not _paths(only_importance, "satisfaction") and _paths(only_importance, "importance")
    reach = _paths(only_importance, "reach")[0]
    assert reach.get("stroke-dasharray")
    shown = [t.text for t in only_importance.iter(f"{SVG}text") if t.get("class") == "value"]
    assert shown == ["–"]
    title = next(only_importance.iter(f"{SVG}title"), None)
    assert title is not None and title.text == ("Housing: satisfaction not answered; important 7")


def test_lines_stand_out_against_every_fill_and_bands_differ_without_colour(
    client: TestClient, session: Session
) -> None:
    latest = everything(client, session)
    svg = client.get(f"/assessments/{latest}/circle.svg").text
    root = ET.fromstring(svg)
    drawn = sectors(svg)
    bands = {g.get("data-band"): _paths(g, "satisfaction")[0].get("fill") for g in drawn.values()}
    assert set(bands) == {"low", "middle", "high"}
    fills = {str(f) for f in bands.values()}
    fills |= {str(p.get("fill")) for g in drawn.values() for p in _paths(g, "reach")}
    hatch = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "hatch")
    stripes = next(s for s in root.iter(f"{SVG}line") if s.get("class") == "stripes")
    fills |= {str(hatch.get("fill")), str(stripes.get("stroke"))}
    lines = {
        kind: {str(p.get("stroke")) for g in drawn.values() for p in _paths(g, kind)}
        for kind in ("importance", "previous", "staff")
    }
    assert all(lines.values()), lines
    for kind, colours in lines.items():
        for line, fill in itertools.product(colours, fills):
            ratio = contrast(luminance(line), luminance(fill))
            assert ratio >= 3, f"{kind} {line} on {fill}: {ratio:.2f}:1"
    for seen in (None, PROTANOPIA, DEUTERANOPIA):  # greyscale, and two colour blindnesses
        for first, second in itertools.combinations(bands.values(), 2):
            ratio = contrast(luminance(str(first), seen), luminance(str(second), seen))
            assert ratio >= 1.5, f"{first} and {second}: {ratio:.2f}:1"


def test_every_sector_says_itself_in_words_and_the_change_is_warm(
    client: TestClient, session: Session
) -> None:
    latest = everything(client, session)
    page = client.get(f"/assessments/{latest}").text
    # Ups first, downs said too, and kindly; the areas counted as people say them.
    assert (
        "Since May, satisfaction has gone up in 7 areas, gone down in 2 areas, and stayed the "
        "same in 1 area. Those that went down are worth talking about together."
    ) in page
    # The change right after the satisfaction it belongs to, never after the case manager's.
    money = (
        "Money: satisfied 6 (okay), up from 2 in May; "
        "important 10 – matters more than you&#39;re happy with it; "
        "the case manager&#39;s reading 4"
    )
    assert "important 10, important" not in page  # the gap said once, not as another "important"
    assert f'aria-label="{money}"' in page and f'<li id="say-finance">{money}</li>' in page
    assert "Studies and work: satisfied 0 (worth talking about), down from 2 in May" in page
    assert "the same as in May" in page  # 2 then 2
    assert "Dashed outline: not answered yet" in page  # the legend, plainly
    client.cookies.set("mylife_lang", "fi")
    finnish = client.get(f"/assessments/{latest}").text
    assert (
        "Toukokuusta lähtien tyytyväisyys on noussut 7 elämänalueella, laskenut 2 elämänalueella "
        "ja pysynyt ennallaan 1 elämänalueella. Laskeneista kannattaa jutella yhdessä."
    ) in finnish
    assert "/10" not in finnish
    assert "Raha-asiat: tyytyväisyys 6 (ok), noussut, toukokuussa oli 2; tärkeys 10" in finnish
    assert "omatyöntekijän näkemys 4" in finnish
    client.cookies.set("mylife_lang", "sv")
    swedish = client.get(f"/assessments/{latest}").text
    assert (
        "Sedan maj har nöjdheten ökat inom 7 områden, minskat inom 2 områden och varit " in swedish
    )
    assert "kontaktpersonens syn 4" in swedish


def test_an_earlier_circle_of_the_same_month_is_named_by_its_day(
    client: TestClient, session: Session
) -> None:
    """ "Since November" says nothing of a reading from earlier in November."""
    person = make_young_person(session, locale="en")
    earlier = {f"{t}.satisfaction": 5 for t in THEME_IDS}
    make_completed_assessment(
        session, person, earlier, completed_at=datetime(2026, 11, 3, 9, tzinfo=UTC)
    )
    later = {f"{t}.satisfaction": 6 for t in THEME_IDS[:1]} | {
        f"{t}.satisfaction": 4 for t in THEME_IDS[1:]
    }
    latest = make_completed_assessment(session, person, later, completed_at=NOVEMBER)
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    page = client.get(f"/assessments/{latest.id}").text
    assert "Since 3.11.2026, satisfaction has gone up in 1 area and gone down in 9 areas." in page
    assert "since November" not in page
    assert (
        "Studies and work: satisfied 6 (okay), up from 5 on 3.11.2026; importance not answered"
        in page
    )
    client.cookies.set("mylife_lang", "fi")
    finnish = client.get(f"/assessments/{latest.id}").text
    assert (
        "3.11.2026 lähtien tyytyväisyys on noussut 1 elämänalueella ja laskenut 9 elämänalueella."
        in finnish
    )


def test_a_version_1_0_circle_of_fives_reads_kindly(client: TestClient, session: Session) -> None:
    """Bands are named by the application, so an old version's circle reads as a new one."""
    person = make_young_person(session, locale="en")
    fives: dict[str, int | str | None] = {
        f"{t}.{v}": 5 for t in THEME_IDS for v in ("satisfaction", "importance")
    }
    old = make_completed_assessment(session, person, fives, version="1.0")
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    page = client.get(f"/assessments/{old.id}").text
    assert "needs attention" not in page.lower() and page.count('data-band="low"') == 10
    assert '<li id="say-family">Family: satisfied 5 (worth talking about); important 5</li>' in page
    assert "Satisfaction 0–5: worth talking about" in page


def test_the_circle_downloads_as_a_png_of_the_same_drawing(
    client: TestClient, session: Session
) -> None:
    latest = everything(client, session)
    svg = ET.fromstring(client.get(f"/assessments/{latest}/circle.svg").text)
    page = client.get(f"/assessments/{latest}").text
    assert f'href="/assessments/{latest}/circle.png?compare=' in page
    png = client.get(f"/assessments/{latest}/circle.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png.content[16:24])
    assert (width, height) == (int(svg.get("width", 0)), int(svg.get("height", 0)))
    assert width >= 800 and len(png.content) > 20_000  # drawn, not blank


def test_swedish_says_satisfaction_and_importance_alike_answered_or_not(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session, locale="sv")
    values: dict[str, int | str | None] = {"finance.satisfaction": 0, "housing.importance": 7}
    assessment = make_completed_assessment(session, person, values)
    sign_in(client, person)
    client.cookies.set("mylife_lang", "sv")
    page = client.get(f"/assessments/{assessment.id}").text
    assert "Ekonomi: hur nöjd 0 (värt att prata om); hur viktigt: inget svar" in page
    assert "Boende: hur nöjd: inget svar; hur viktigt 7" in page
    assert "nöjdhet" not in page.split("<figure", 1)[1].split("</figure>", 1)[0].lower()
