"""The instrument is data: the shipped file, and what a bad file gets told."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.cli import main as cli
from app.survey.definition import INSTRUMENT_DIR, DefinitionError, parse_definition
from app.survey.models import InstrumentVersion

SHIPPED = INSTRUMENT_DIR / "mylife_youth-1.0.json"
THEMES = [
    "studies_work",
    "family",
    "health",
    "friends",
    "personal_development",
    "housing",
    "finance",
    "life_satisfaction",
    "self_esteem",
    "resilience",
]


def test_the_shipped_youth_instrument_has_thirty_points() -> None:
    definition = parse_definition(SHIPPED.read_bytes())
    assert [t.id for t in definition.themes] == THEMES
    items = [item for theme in definition.themes for item in theme.items]
    assert len(items) == 30
    assert (
        sum(i.kind == "choice" for i in items) == 20 and sum(i.kind == "text" for i in items) == 10
    )
    for theme in definition.themes:
        assert [i.viewpoint for i in theme.items] == ["importance", "satisfaction", "future"]
    scale = definition.scale("zero_to_ten")
    assert (scale.min, scale.max) == (0, 10)
    assert [(b.min, b.max) for b in scale.bands] == [(0, 5), (6, 7), (8, 10)]
    assert {a.value for a in scale.anchors} == {0, 5, 10}


def test_every_text_is_in_three_languages() -> None:
    raw = json.loads(SHIPPED.read_text())

    def walk(node: object) -> int:
        count = 0
        if isinstance(node, dict):
            if {"fi", "sv", "en"} <= node.keys():
                assert all(isinstance(node[k], str) and node[k].strip() for k in ("fi", "sv", "en"))
                return 1
            count += sum(walk(v) for v in node.values())
        elif isinstance(node, list):
            count += sum(walk(v) for v in node)
        return count

    # title + description, 3 scale anchors + 3 bands, and per theme: title, short title,
    # description, 3 item texts and 3 importance anchors; the help title and message.
    assert walk(raw) == 2 + 6 + 10 * 9 + 2


def broken(change: Callable[[dict[str, Any]], object]) -> bytes:
    data = json.loads(SHIPPED.read_text())
    change(data)
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["themes"][2]["title"].pop("sv"), "themes.2.title.sv"),
        (lambda d: d["themes"][0]["items"][1].update(scale="nope"), "themes.0.items.1.scale"),
        (lambda d: d["scales"][0]["bands"][1].update(min=7), "scales.0.bands.1.min"),
        (lambda d: d["themes"][4]["items"][2].update(max_length=0), "themes.4.items.2.max_length"),
        (lambda d: d.update(version="one"), "version"),
        (lambda d: d["themes"][1]["items"].pop(0), "themes.1.items"),
        (lambda d: d["themes"][5].update(id="family"), "themes.5.items.0.id"),
        (lambda d: d["themes"][3]["items"][0].update(id="bad id"), "themes.3.items.0.id"),
        (lambda d: d["scales"][0]["bands"][0].update(colour="red"), "scales.0.bands.0.colour"),
    ],
)
def test_a_bad_definition_names_the_field(
    change: Callable[[dict[str, Any]], object], field: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(broken(change))
    assert any(path.startswith(field) for path, _message in raised.value.problems), (
        raised.value.problems
    )


def test_not_json_is_reported() -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(b"{ nope")
    assert raised.value.problems[0][0] == "(file)"


def test_cli_validates_and_reports_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(["instrument", "validate", str(SHIPPED)]) == 0
    assert "mylife_youth 1.0 is valid (30 items" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_bytes(broken(lambda d: d["themes"][2]["title"].pop("sv")))
    assert cli(["instrument", "validate", str(bad)]) == 1
    assert "themes.2.title.sv: Field required" in capsys.readouterr().err
    assert cli(["instrument", "import", str(bad)]) == 1


def test_cli_import_is_idempotent(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["instrument", "import", str(SHIPPED)]) == 0  # the suite imported it already
    assert "already imported" in capsys.readouterr().out
    with Session(engine) as session:
        versions = session.exec(select(InstrumentVersion)).all()
    assert [v.version for v in versions] == ["1.0", "1.1"]


NEWER = INSTRUMENT_DIR / "mylife_youth-1.1.json"


def _shape(path: Path) -> list[tuple[str, str, str, str | None]]:
    definition = parse_definition(path.read_bytes())
    return [(t.id, i.id, i.kind, i.scale) for t in definition.themes for i in t.items]


def test_version_1_1_keeps_the_items_and_words_life_as_a_whole_anew() -> None:
    """Same ids, kinds and scales as 1.0, so circles compare across versions."""
    assert _shape(NEWER) == _shape(SHIPPED)
    old, new = (parse_definition(p.read_bytes()) for p in (SHIPPED, NEWER))
    assert old.scales[0].bands == tuple(
        b.model_copy(update={"label": o.label, "colour": o.colour})
        for b, o in zip(new.scales[0].bands, old.scales[0].bands, strict=True)
    )
    life = new.themes[THEMES.index("life_satisfaction")]
    importance, satisfaction = life.item("importance"), life.item("satisfaction")
    assert importance and satisfaction
    assert (
        importance.text.en == "How important is it to you to feel good about your life as a whole?"
    )
    assert importance.text.fi == (
        "Kuinka tärkeää sinulle on, että olet tyytyväinen elämääsi kokonaisuutena?"
    )
    assert satisfaction.text.en == "How satisfied are you with your life as a whole right now?"
    assert "tyytyväisyytesi" not in importance.text.fi.lower()
    assert new.title.fi == "Miten elämäsi sujuu? (3X10D)"
    assert all(band.label is None for band in new.scales[0].bands)  # named by the application


def test_version_1_0_keeps_its_checksum() -> None:
    """Stored 1.0 versions are compared by checksum: its file and its model never change."""
    from app.survey.definition import load_definition_file

    _definition, digest = load_definition_file(SHIPPED)
    assert digest == "e6000ab5b68c74f634d3789f647df31bc1f1440235946b8ee2ba8f969542d4c0"


def test_a_band_is_one_of_the_kinds_the_application_names() -> None:
    with pytest.raises(DefinitionError) as raised:
        parse_definition(broken(lambda d: d["scales"][0]["bands"][0].update(id="red")))
    assert raised.value.problems[0][0] == "scales.0.bands.0.id"
