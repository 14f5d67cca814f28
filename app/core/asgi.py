"""Reading a raw ASGI request's headers and cookies, for middleware that runs before Starlette's
Request exists. Bytes that are not text never raise: latin-1 maps every byte."""

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def scope_cookie(scope: Scope, name: str) -> str | None:
    for morsel in (header(scope, b"cookie") or "").split(";"):
        key, _sep, value = morsel.strip().partition("=")
        if key == name:
            return value
    return None
