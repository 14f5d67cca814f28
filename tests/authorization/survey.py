"""What each caller gets from these routes (the matrix is in matrix.py).

The survey: answering is the person's own; reading is audited.
"""

from __future__ import annotations

from tests.authorization.matrix import DENIED, HIDDEN, OK, SIGNIN, Row, body, form, web
from tests.authorization.world import THEME

SCREEN = form(**{f"{THEME}.importance": "6", f"{THEME}.satisfaction": "6", "nav": "next"})
ANSWER = form(**{f"{THEME}.importance": "7"})
READING = form(**{THEME: "5"})
ANSWER_JSON = body(lambda s: {"value": 7})


ROWS: dict[tuple[str, str], Row] = {
    # the survey: answering is the person's own; reading is audited
    ("GET", "/survey"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("POST", "/survey/start"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/assessments/{assessment_id}/themes/{number}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("POST", "/assessments/{assessment_id}/themes/{number}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, body=SCREEN
    ),
    ("POST", "/assessments/{assessment_id}/answer"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, htmx=True, body=ANSWER
    ),
    ("GET", "/assessments/{assessment_id}/review"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("POST", "/assessments/{assessment_id}/submit"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("GET", "/assessments/{assessment_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/assessments/{assessment_id}/reading"): web(
        SIGNIN, HIDDEN, DENIED, OK, DENIED, body=READING
    ),
    ("GET", "/assessments/{assessment_id}/circle.svg"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/assessments/{assessment_id}/circle.png"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/api/v1/instruments"): web(SIGNIN, OK, OK, OK, OK),
    ("GET", "/api/v1/instruments/{code}/versions/{version}"): web(SIGNIN, OK, OK, OK, OK),
    ("POST", "/api/v1/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/api/v1/assessments"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/api/v1/assessments/{assessment_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("PUT", "/api/v1/assessments/{assessment_id}/answers/{item_id}"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True, body=ANSWER_JSON
    ),
    ("POST", "/api/v1/assessments/{assessment_id}/submit"): web(
        SIGNIN, OK, DENIED, DENIED, DENIED, answering=True
    ),
    ("GET", "/api/v1/assessments/{assessment_id}/circle"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/assessments/{assessment_id}/circle.svg"): web(SIGNIN, OK, DENIED, OK, DENIED),
}
