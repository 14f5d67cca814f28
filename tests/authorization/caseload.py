"""What each caller gets from these routes (the matrix is in matrix.py).

The caseload, and invitations: the link is what lets its holder in.
"""

from __future__ import annotations

import secrets
from typing import Any

from tests.authorization.matrix import DENIED, HIDDEN, OK, SIGNIN, Row, Side, form, public, web
from tests.factories import PASSWORD


def sign_up_form(side: Side) -> dict[str, Any]:
    username = f"joiner-{secrets.token_hex(4)}"
    fields = {"display_name": "Joiner", "username": username, "birth_date": "1.2.2006"}
    return {"data": {**fields, "password": PASSWORD}}


ROWS: dict[tuple[str, str], Row] = {
    # the caseload, and invitations: the link is what lets its holder in
    ("GET", "/caseload"): web(SIGNIN, HIDDEN, HIDDEN, OK, OK),
    ("POST", "/invitations"): web(SIGNIN, HIDDEN, HIDDEN, OK, OK, body=form(name="Saga")),
    ("GET", "/people/{person_id}"): web(SIGNIN, HIDDEN, HIDDEN, OK, DENIED),
    ("GET", "/invitations/{token}"): public(),
    # staff are asked to sign in as the young person the link is for
    ("POST", "/invitations/{token}/join"): web(SIGNIN, OK, OK, SIGNIN, SIGNIN),
    ("POST", "/invitations/{token}"): public(body=sign_up_form),
}
