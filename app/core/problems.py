"""One place that turns errors into what the client understands.

API clients get application/problem+json naming the field; browsers get a
page (or, for htmx, a message) in their language; an unsigned browser is sent
to the sign-in page and brought back afterwards.
"""

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from app.core.bounds import DATE_RANGE
from app.core.errors import AppError, FieldError, InvalidInput, NotFound
from app.core.i18n import N_
from app.core.templates import is_htmx, render

log = logging.getLogger("mylife")
MACHINE_PREFIXES = ("/api/",)

_STATUS_MESSAGES = {
    400: N_("The request could not be handled."),
    404: N_("Not found."),
    405: N_("That cannot be done here."),
    413: N_("That is too much to send at once."),
}


Renderer = Callable[[AppError, Request], Response]
# Other machine interfaces with their own error format (the FHIR API: OperationOutcome).
RENDERERS: dict[str, Renderer] = {}


def machine_renderer(request: Request) -> Renderer | None:
    """How a machine client under this path wants errors; None for a browser."""
    for prefix, renderer in RENDERERS.items():
        if request.url.path.startswith(prefix):
            return renderer
    return problem if request.url.path.startswith(MACHINE_PREFIXES) else None


def problem(error: AppError, request: Request) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:mylife:problem:{error.code}",
        "title": error.text(),
        "status": error.status,
        "instance": request.url.path,
    }
    if error.errors:
        body["field"] = error.errors[0].field
        body["errors"] = [{"field": e.field, "message": e.text()} for e in error.errors]
    body.update(error.extra)
    return JSONResponse(
        body, status_code=error.status, media_type="application/problem+json", headers=error.headers
    )


def safe_next(path: str) -> str:
    """Only a path on this site may be returned to after sign-in."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


def handle_app_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, AppError)
    renderer = machine_renderer(request)
    if renderer is not None:
        return renderer(error, request)
    if error.status == 401:
        target = "/signin?next=" + quote(safe_next(request.url.path), safe="/")
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    block = "message" if is_htmx(request) else None
    return render(request, "error.html", {"error": error}, block=block, status_code=error.status)


_SOURCES = ("body", "query", "path", "header", "cookie")
_TYPE_MESSAGES = {
    "missing": N_("This field is required."),
    "int_type": N_("Give a whole number."),
    "int_parsing": N_("Give a whole number."),
    "string_type": N_("Give text."),
    "string_too_long": N_("This is too long."),
    "string_pattern_mismatch": N_("This is not in the expected form."),
    "greater_than_equal": N_("This number is too small."),
    "less_than_equal": N_("This number is too large."),
    "json_invalid": N_("The request body is not valid JSON."),
    "model_attributes_type": N_("Send a JSON object."),
    "dict_type": N_("Send a JSON object."),
    "extra_forbidden": N_("This field is not expected here."),
    "date_out_of_range": N_("Give a date between %(first)s and %(last)s."),
}
_TYPE_PARAMS: dict[str, dict[str, object]] = {
    "date_out_of_range": {"first": DATE_RANGE.start, "last": DATE_RANGE.stop - 1},
}
_UNION_MESSAGE = N_("Give a whole number, text, or null.")


def _field_name(loc: tuple[Any, ...]) -> str:
    """The field a client sent, without pydantic's union branch names."""
    parts = [str(p) for p in loc if p not in _SOURCES]
    while len(parts) > 1 and (parts[-1] in ("int", "str", "none") or "[" in parts[-1]):
        parts.pop()
    return ".".join(parts) or "body"


def field_errors(errors: list[dict[str, Any]]) -> list[FieldError]:
    """One message per field; a value that fits no branch of a union gets one message."""
    by_field: dict[str, list[str]] = {}
    for error in errors:
        by_field.setdefault(_field_name(tuple(error.get("loc", ()))), []).append(error["type"])
    problems = []
    for name, types in by_field.items():
        generic = N_("This value is not valid.")
        if len(types) > 1:
            problems.append(FieldError(name, _UNION_MESSAGE))
        else:
            message = _TYPE_MESSAGES.get(types[0], generic)
            problems.append(FieldError(name, message, _TYPE_PARAMS.get(types[0], {})))
    return problems


def handle_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    renderer = machine_renderer(request)
    if renderer is None:
        # A malformed address or form from a browser: treat it as a page that is not there.
        return handle_app_error(request, NotFound())
    return renderer(InvalidInput(errors=field_errors(list(error.errors()))), request)


async def refuse(scope: Scope, receive: Receive, send: Send, error: AppError) -> None:
    """The answer to a request refused before any route (a NUL, a body too large, a forged
    form): the same page or problem as any other error of its kind."""
    response = handle_app_error(Request(scope, receive), error)
    await response(scope, receive, send)


def handle_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    message = _STATUS_MESSAGES.get(error.status_code, _STATUS_MESSAGES[400])
    app_error = AppError(message)
    app_error.status = error.status_code
    app_error.code = "not-found" if error.status_code == 404 else "http-error"
    response = handle_app_error(request, app_error)
    for key, value in (error.headers or {}).items():
        response.headers[key] = value
    if error.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route offers for this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _child = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def handle_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    app_error = AppError(N_("Something went wrong on our side. Nothing you saved is lost."))
    app_error.status = 500
    app_error.code = "server-error"
    return handle_app_error(request, app_error)
