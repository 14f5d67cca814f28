"""Jinja2 templates with Babel gettext, and htmx-aware rendering.

A view renders the whole page, or for an htmx request one named block of the
same template, so a page and its fragments never drift apart.
"""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app.core import i18n
from app.core.assets import static_url
from app.core.config import get_settings
from app.core.security import csrf_token_for
from app.core.types import LOCAL_TIME

APP_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_DIR = APP_DIR / "templates"


def _date(value: date | datetime | None, form: str = "medium") -> str:
    """A date, or a moment as its day and time in Finnish time, in the reader's language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, form, tzinfo=LOCAL_TIME, locale=i18n.babel_locale())
    return format_date(value, form, locale=i18n.babel_locale())


def _day(value: date | datetime | None) -> str:
    """A day as people here write it (24.11.2026), in every language."""
    return _date(value, "d.M.yyyy")


day = _day  # for a sentence worded in Python that names a day (the plan's history)


def _iso_day(value: str | None) -> str:
    """A day stored as ISO text (in a frozen snapshot), written like every other day."""
    return _day(date.fromisoformat(value)) if value else ""


def _when(value: datetime | None) -> str:
    """A moment, e.g. 24.11.2026 13:05 (Finnish time)."""
    return _date(value, "d.M.yyyy HH:mm")


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        # Compiled templates are kept; only in development is each file checked for changes.
        auto_reload=get_settings().environment == "development",
        autoescape=select_autoescape(["html", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.raw_gettext, i18n.raw_ngettext, newstyle=True
    )
    env.globals.update(
        static_url=static_url,
        localized=i18n.localized,
        current_locale=i18n.current_locale,
        locale_names=i18n.LOCALE_NAMES,
    )
    env.filters.update(date=_date, day=_day, iso_day=_iso_day, when=_when)
    return env


environment = _build_environment()


def add_names(**names: Any) -> None:
    """Let templates use the domains' names (enums, labels): core imports no domain, so the
    application registers them when it is put together (`app.main`)."""
    environment.globals.update(names)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only `block` of it."""
    template = environment.get_template(name)
    values = {
        "request": request,
        "csrf_token": csrf_token_for(request.state.csrf_binding),
        "account": getattr(request.state, "viewer", None),
        **(context or {}),
    }
    if block is None:
        html = template.render(values)
    else:
        html = "".join(template.blocks[block](template.new_context(values)))
    return HTMLResponse(html, status_code=status_code, headers=headers)


def render_string(name: str, context: dict[str, Any]) -> str:
    return environment.get_template(name).render(context)
