"""What each caller gets from these routes (the matrix is in matrix.py).

The national portal's FHIR API: only a bearer token counts there.
"""

from __future__ import annotations

import secrets
from typing import Any

from app.auth.models import Account, Role
from tests.authorization.matrix import DENIED, EMPTY, OK, REFUSED, SCOPE, Row, Side, fhir, public
from tests.fhir.test_fhir_api import portal_response


def subject_query(side: Side) -> dict[str, str]:
    return {"subject": f"Patient/{side.person_with_data}"}


def fhir_import(side: Side) -> dict[str, Any]:
    key = f"matrix-{secrets.token_hex(4)}"
    person = Account(id=side.person, display_name="", role=Role.YOUNG_PERSON)
    return {"json": portal_response(person, key)}


ROWS: dict[tuple[str, str], Row] = {
    # the FHIR API of the national portal
    ("GET", "/fhir/R4/metadata"): public(),
    ("GET", "/fhir/R4/Questionnaire"): fhir(OK, OK, SCOPE),
    ("GET", "/fhir/R4/Questionnaire/{resource_id}"): fhir(OK, OK, SCOPE),
    ("GET", "/fhir/R4/QuestionnaireResponse/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/QuestionnaireResponse"): fhir(OK, EMPTY, SCOPE, query=subject_query),
    ("POST", "/fhir/R4/QuestionnaireResponse"): fhir(OK, REFUSED, SCOPE, body=fhir_import),
    ("GET", "/fhir/R4/CarePlan/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/CarePlan"): fhir(OK, EMPTY, SCOPE, query=subject_query),
    ("GET", "/fhir/R4/Goal/{resource_id}"): fhir(OK, DENIED, SCOPE),
    ("GET", "/fhir/R4/Goal"): fhir(OK, EMPTY, SCOPE, query=subject_query),
}
