"""Reading a raw ASGI request's headers and cookies, for middleware that runs before Starlette's
Request exists. Bytes that are not text never raise: latin-1 maps every byte."""

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def scope_cookie(scope: Scope, name: str, *, unique: bool = True) -> str | None:
    """A cookie's value. With `unique` (credentials), None when it is sent more than once:
    another origin on the same host may set one of the same name beside ours, and then
    neither is trusted. Otherwise the first one sent."""
    found = [
        value
        for key, _sep, value in (
            morsel.strip().partition("=") for morsel in (header(scope, b"cookie") or "").split(";")
        )
        if key == name
    ]
    if unique and len(found) > 1:
        return None
    return found[0] if found else None
