"""What each caller gets from these routes (the matrix is in matrix.py).

Pages of no one domain, signing in and out, ways to sign in, the access log, the session.
"""

from __future__ import annotations

from typing import Any

from tests.authorization.matrix import (
    ACTORS,
    DENIED,
    HIDDEN,
    OK,
    REFUSED,
    SIGNIN,
    Row,
    Side,
    edit_form,
    form,
    public,
    web,
)
from tests.factories import PASSWORD


def sign_in_form(side: Side) -> dict[str, Any]:
    return {"data": {"username": side.username, "password": PASSWORD}}


ROWS: dict[tuple[str, str], Row] = {
    ("GET", "/openapi.json"): public(),
    ("GET", "/docs"): public(),
    ("GET", "/docs/oauth2-redirect"): public(),
    ("GET", "/static/{path}"): public(),
    # pages of no one domain
    ("GET", "/"): web(SIGNIN, OK, OK, OK, OK),
    ("POST", "/language"): public(body=form(lang="en", next="/")),
    ("GET", "/offline"): public(),
    ("GET", "/sw.js"): public(),
    ("GET", "/healthz"): public(),
    # the home page's big tick: a step of the plan done, by either side
    ("POST", "/next-step/{action_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=edit_form("action_version")
    ),
    # signing in and out
    ("GET", "/signin"): public(),
    ("POST", "/signin"): public(body=sign_in_form),
    ("POST", "/auth/oidc/{name}/login"): public(),
    ("GET", "/auth/oidc/{name}/callback"): Row(dict.fromkeys(ACTORS, REFUSED)),  # none begun
    ("POST", "/signout"): public(),
    # a young person's own ways to sign in: link a provider (on to it), remove one
    ("GET", "/account/sign-in-methods"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/account/sign-in-methods/link/{name}"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/account/sign-in-methods/remove/{identity_id}"): web(
        SIGNIN, OK, DENIED, HIDDEN, HIDDEN
    ),
    # how a case manager's young people reach them: their own, and nobody else's
    ("GET", "/account/contact"): web(SIGNIN, HIDDEN, HIDDEN, OK, OK),
    ("POST", "/account/contact"): web(
        SIGNIN, HIDDEN, HIDDEN, OK, OK, body=form(contact_phone="017 123 4567", contact_note="")
    ),
    # the access log
    ("GET", "/me/access"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    # the JSON API
    ("GET", "/api/v1/session"): web(SIGNIN, OK, OK, OK, OK),
}
