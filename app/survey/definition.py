"""The instrument definition format: a versioned, validated data file.

An instrument is data, never code. A definition file names its themes, items,
scales and every text in Finnish, Swedish and English; this module checks one
and points at the field that is wrong.
"""

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Literal, Protocol

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from app.core.i18n import localized

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}\.[a-z][a-z0-9_]{0,39}$")]
Colour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Viewpoint = Literal["importance", "satisfaction", "future"]
# A method's code in a title, in brackets: capitals and digits ("(3X10D)").
METHOD_CODE = re.compile(r"\s*\((?=[^)]*\d)[0-9A-Z]+\)")


class Rating(Protocol):
    """A stored answer as far as a rating goes (the survey's `Answer`)."""

    value_int: int | None


class PathError(ValueError):
    """A problem inside a model, with the path from that model to the field."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        self.path = path
        super().__init__(message)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Texts(Strict):
    fi: Text
    sv: Text
    en: Text

    def __str__(self) -> str:
        return localized(self.model_dump())


class Anchor(Strict):
    value: int
    label: Texts


# A band's id is its kind: the application words and paints each kind itself
# (`app/survey/circle_words.py`, `app/survey/circle.py`), so that every version reads alike.
BandKind = Literal["low", "middle", "high"]


class Band(Strict):
    """A stretch of a scale; the instrument sets only its bounds. `label` and `colour` are
    read from version 1.0's file (kept so its checksum stays the same) and never shown."""

    id: BandKind
    min: int
    max: int
    label: Texts | None = None
    colour: Colour | None = None


class Scale(Strict):
    id: Identifier
    min: int
    max: int = Field(le=100)
    anchors: tuple[Anchor, ...] = Field(min_length=2)
    bands: tuple[Band, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "Scale":
        if self.min >= self.max:
            raise ValueError("max must be greater than min")
        for index, anchor in enumerate(self.anchors):
            if not self.min <= anchor.value <= self.max:
                message = f"anchor {anchor.value} is outside {self.min}..{self.max}"
                raise PathError(("anchors", index, "value"), message)
        expected = self.min
        for index, band in enumerate(self.bands):
            if band.min != expected or band.max < band.min:
                message = f"band '{band.id}' must start at {expected} and not end before it"
                raise PathError(("bands", index, "min"), message)
            expected = band.max + 1
        if expected != self.max + 1:
            raise PathError(("bands",), f"bands must cover the scale up to {self.max}")
        return self

    def values(self) -> range:
        return range(self.min, self.max + 1)

    def band_for(self, value: int) -> Band:
        return next(band for band in self.bands if band.min <= value <= band.max)


class ItemKind(StrEnum):
    CHOICE = "choice"  # a number on the item's scale: a question to answer
    TEXT = "text"  # a comment in the person's own words: optional


class Item(Strict):
    id: ItemId
    viewpoint: Viewpoint
    kind: ItemKind
    text: Texts
    scale: Identifier | None = None
    anchors: tuple[Anchor, ...] | None = None
    max_length: int | None = Field(default=None, ge=1, le=10000)

    @model_validator(mode="after")
    def _check(self) -> "Item":
        if self.kind is ItemKind.CHOICE and (self.scale is None or self.max_length is not None):
            raise PathError(("scale",), "a choice item names a scale and has no max_length")
        if self.kind is ItemKind.TEXT and (self.max_length is None or self.scale or self.anchors):
            raise PathError(("max_length",), "a text item has a max_length and no scale or anchors")
        return self

    @property
    def required(self) -> bool:
        """A choice is a question to answer; a comment is optional, never missing."""
        return self.kind is ItemKind.CHOICE


class Theme(Strict):
    id: Identifier
    title: Texts
    short_title: Texts
    description: Texts
    items: tuple[Item, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "Theme":
        for index, item in enumerate(self.items):
            if not item.id.startswith(f"{self.id}."):
                raise PathError(("items", index, "id"), f"must start with '{self.id}.'")
        for viewpoint in ("importance", "satisfaction"):
            matching = [
                i for i in self.items if i.viewpoint == viewpoint and i.kind is ItemKind.CHOICE
            ]
            if len(matching) != 1:
                raise PathError(("items",), f"needs exactly one {viewpoint} choice item")
        return self

    def item(self, viewpoint: Viewpoint) -> Item | None:
        return next((i for i in self.items if i.viewpoint == viewpoint), None)


class AgeRange(Strict):
    min: int = Field(ge=0, le=120)
    max: int = Field(ge=0, le=120)


class HelpRule(Strict):
    """Very low answers here show where to get help now."""

    themes: tuple[Identifier, ...]
    at_or_below: int
    title: Texts
    message: Texts


class InstrumentDefinition(Strict):
    format: Literal[1]
    code: Identifier
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: Texts
    description: Texts
    ages: AgeRange
    gap_threshold: int = Field(ge=1)
    scales: tuple[Scale, ...] = Field(min_length=1)
    themes: tuple[Theme, ...] = Field(min_length=1, max_length=20)
    help: HelpRule | None = None

    @model_validator(mode="after")
    def _check(self) -> "InstrumentDefinition":
        scale_ids = {scale.id for scale in self.scales}
        seen_themes: set[str] = set()
        for t, theme in enumerate(self.themes):
            if theme.id in seen_themes:
                raise PathError(("themes", t, "id"), f"theme '{theme.id}' appears twice")
            seen_themes.add(theme.id)
            for i, item in enumerate(theme.items):
                if item.scale is not None and item.scale not in scale_ids:
                    path = ("themes", t, "items", i, "scale")
                    raise PathError(path, f"unknown scale '{item.scale}'")
        if self.help and not set(self.help.themes) <= seen_themes:
            raise PathError(("help", "themes"), "names a theme that is not in the instrument")
        if self.ages.min > self.ages.max:
            raise PathError(("ages", "min"), "must not be above ages.max")
        return self

    @property
    def heading(self) -> str:
        """The title as the person answering reads it, in their language: without the
        method's code in brackets ("(3X10D)"), which is for staff and metadata (the title
        itself, e.g. the portal's Questionnaire)."""
        return " ".join(METHOD_CODE.sub("", str(self.title)).split())

    def items(self) -> dict[str, tuple[Theme, Item]]:
        """Every item by id, with its theme (built once per definition)."""
        return self._item_index

    @cached_property
    def _item_index(self) -> dict[str, tuple[Theme, Item]]:
        return {item.id: (theme, item) for theme in self.themes for item in theme.items}

    def required_items(self) -> list[Item]:
        """The questions an assessment counts as answered or missing (comments are not)."""
        return [item for _theme, item in self.items().values() if item.required]

    def scale(self, scale_id: str | None) -> Scale:
        return next(scale for scale in self.scales if scale.id == scale_id)

    def ratings(self, answers: Mapping[str, Rating], viewpoint: Viewpoint) -> dict[str, int | None]:
        """Each theme's number from one viewpoint (importance or satisfaction), None while it is
        unanswered: the one way answers are read by theme, for the Circle of Life, the help
        rule and the plan's focus."""
        found: dict[str, int | None] = {}
        for theme in self.themes:
            item = theme.item(viewpoint)
            answer = answers.get(item.id) if item else None
            found[theme.id] = answer.value_int if answer is not None else None
        return found

    def more_important_than_satisfying(
        self, importance: int | None, satisfaction: int | None
    ) -> bool:
        """The gap rule: a theme rated clearly more important than satisfying (by at least the
        instrument's gap threshold); False while either rating is missing. The Circle of Life
        marks it, the plan suggests it as a focus."""
        if importance is None or satisfaction is None:
            return False
        return importance - satisfaction >= self.gap_threshold

    def help_needed(self, satisfaction: Mapping[str, int | None]) -> list[str]:
        """Help themes whose satisfaction is at or below the help threshold."""
        if self.help is None:
            return []
        return [
            theme
            for theme in self.help.themes
            if (value := satisfaction.get(theme)) is not None and value <= self.help.at_or_below
        ]

    def theme_index(self, theme_id: str) -> int:
        return next(i for i, theme in enumerate(self.themes) if theme.id == theme_id)


class DefinitionError(Exception):
    """A definition file that cannot be used; each problem names its field."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))


def parse_definition(raw: bytes | str) -> InstrumentDefinition:
    try:
        return InstrumentDefinition.model_validate_json(raw)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            inner = e.get("ctx", {}).get("error")
            path = (*e["loc"], *inner.path) if isinstance(inner, PathError) else e["loc"]
            message = str(inner) if isinstance(inner, PathError) else e["msg"]
            problems.append((".".join(str(part) for part in path) or "(file)", message))
        raise DefinitionError(problems) from error


def load_definition_file(path: Path) -> tuple[InstrumentDefinition, str]:
    """The parsed definition and the checksum of its canonical form."""
    definition = parse_definition(path.read_bytes())
    return definition, checksum(definition)


def checksum(definition: InstrumentDefinition) -> str:
    canonical = json.dumps(definition.model_dump(mode="json"), sort_keys=True).encode()
    return hashlib.sha256(canonical).hexdigest()


INSTRUMENT_DIR = Path(__file__).resolve().parent / "instruments"


@cache
def shipped_theme_ids() -> tuple[str, ...]:
    """Theme ids of the definitions shipped with the service (for the API schema)."""
    paths = sorted(INSTRUMENT_DIR.glob("*.json"))
    return tuple(theme_ids_of(parse_definition(path.read_bytes()) for path in paths))


def theme_ids_of(definitions: Iterable[InstrumentDefinition]) -> list[str]:
    """The theme ids of some definitions, in their order, each once."""
    return list(
        dict.fromkeys(theme.id for definition in definitions for theme in definition.themes)
    )
