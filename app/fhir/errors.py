"""Errors of the FHIR API, answered as OperationOutcome (application/fhir+json)."""

from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse, Response

from app.core.errors import AppError, FieldError
from app.core.i18n import N_
from app.fhir.resources import operation_outcome

FHIR_JSON = "application/fhir+json; charset=utf-8"
REALM = 'Bearer realm="mylife-fhir"'

# FHIR issue-type codes for our statuses.
_ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    413: "too-long",
    422: "invalid",
}


class TokenNotAccepted(AppError):
    status = 401
    code = "invalid-token"
    message = N_("The access token is not accepted.")


class InvalidResource(AppError):
    status = 422
    code = "invalid-resource"
    message = N_("The resource is not valid.")


def unauthorized(reason: str | None) -> TokenNotAccepted:
    """401 with the challenge RFC 6750 asks for (no error code when no token was sent)."""
    challenge = (
        REALM if reason is None else f'{REALM}, error="invalid_token", error_description="{reason}"'
    )
    return TokenNotAccepted(headers={"WWW-Authenticate": challenge})


def fhir_response(resource: dict[str, Any], status_code: int = 200, **headers: str) -> Response:
    return JSONResponse(resource, status_code=status_code, media_type=FHIR_JSON, headers=headers)


def render_outcome(error: AppError, request: Request) -> Response:
    """Any error under /fhir/ as an OperationOutcome; a field names the element (expression)."""
    code = _ISSUE_CODES.get(error.status, "exception" if error.status >= 500 else "processing")
    issues = []
    problems: list[FieldError | None] = list(error.errors) or [None]
    for problem in problems:
        issue: dict[str, Any] = {
            "severity": "error",
            "code": code,
            "diagnostics": problem.text() if problem else error.text(),
        }
        if problem is not None:
            issue["expression"] = [problem.field]
        issues.append(issue)
    return fhir_response(operation_outcome(issues), error.status, **error.headers)
