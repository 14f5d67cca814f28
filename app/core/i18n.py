"""Translations: gettext catalogues (Babel) for Finnish, Swedish and English.

The current request's language lives in a context variable set by
LocaleMiddleware, so services, error handlers and templates all translate
into the same language without passing it around.
"""

from collections.abc import Mapping
from contextvars import ContextVar
from enum import StrEnum
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Self

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.asgi import header, scope_cookie

LOCALES = ("fi", "sv", "en")
LOCALE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}
LOCALE_COOKIE = "mylife_lang"
LOCALE_COOKIE_AGE = 365 * 24 * 60 * 60  # a year, in seconds
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

_current: ContextVar[str] = ContextVar("mylife_locale", default="fi")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


@cache
def translations(locale: str) -> Translations:
    """Compile the .po catalogue in memory (no build step, never stale)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")


def remember_locale(response: Response, locale: str) -> None:
    """The browser keeps the chosen language for a year (signed in or not)."""
    response.set_cookie(LOCALE_COOKIE, locale, max_age=LOCALE_COOKIE_AGE, samesite="lax")


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else LOCALES[0])


def gettext(message: str, **params: object) -> str:
    text = translations(current_locale()).ugettext(message)
    return text % params if params else text


class Labelled(StrEnum):
    """A choice whose label, in the reader's language, is defined with it:
    `OPEN = "open", N_("Open")`; `GoalStatus.OPEN.label`; `GoalStatus("open")` the member.
    A member may carry more words after its label (`_words`, msgids), as `Access` does."""

    _words: tuple[str, ...]

    def __new__(cls, value: str, *words: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._words = words
        return member

    @property
    def label(self) -> str:
        return gettext(self._words[0])


_ = gettext


def raw_gettext(message: str) -> str:
    """Translation without formatting (Jinja's newstyle gettext formats itself)."""
    return translations(current_locale()).ugettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ungettext(singular, plural, n)


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    text = translations(current_locale()).ungettext(singular, plural, n)
    return text % {"num": n, **params}


def localized(texts: Mapping[str, str]) -> str:
    """Pick the current language from a {fi, sv, en} mapping of instrument data."""
    return texts.get(current_locale()) or texts.get("en") or next(iter(texts.values()), "")


def babel_locale() -> Locale:
    return Locale.parse(current_locale())


def negotiate(accept_language: str | None, default: str) -> str:
    """Pick the best of our languages from an Accept-Language header."""
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip().lower()))
    for neg_quality, _position, tag in sorted(weighted):
        primary = tag.split("-")[0]
        if neg_quality < 0 and primary in LOCALES:
            return primary
    return default


class LocaleMiddleware:
    """Language from the remembered cookie, else Accept-Language, else the default."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            chosen = scope_cookie(scope, LOCALE_COOKIE, unique=False)
            if chosen not in LOCALES:
                chosen = negotiate(header(scope, b"accept-language"), self.default)
            set_locale(chosen)
            scope.setdefault("state", {})["locale"] = chosen
        await self.app(scope, receive, send)
