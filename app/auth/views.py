"""Sign-in and sign-out pages for local accounts."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import RedirectResponse, Response

from app.auth import service
from app.auth.deps import (
    SESSION_COOKIE,
    CurrentAccount,
    session_token,
    sign_in_response,
    verify_csrf,
)
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import AppError
from app.core.problems import safe_next
from app.core.templates import render

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _signin_page(request: Request, next_path: str, **context: object) -> Response:
    status = int(str(context.pop("status_code", 200)))
    values = {"next": safe_next(next_path), "local_enabled": get_settings().local_accounts_enabled}
    return render(request, "auth/signin.html", {**values, **context}, status_code=status)


@router.get("/signin")
def signin_form(request: Request, account: CurrentAccount, next: str = "/") -> Response:
    if account is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _signin_page(request, next)


@router.post("/signin")
def signin(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        client = request.client.host if request.client else "unknown"
        account = service.authenticate(session, username=username, password=password, client=client)
    except AppError as error:
        return _signin_page(request, next, error=error, username=username, status_code=error.status)
    return sign_in_response(session, account, safe_next(next))


@router.post("/signout")
def signout(request: Request, session: SessionDep) -> Response:
    token = session_token(request)
    if token:
        service.end_session(session, token=token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax")
    return response
