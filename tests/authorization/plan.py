"""What each caller gets from these routes (the matrix is in matrix.py).

The welfare plan, edited by both sides: pages and JSON.
"""

from __future__ import annotations

from typing import Any

from tests.authorization.matrix import (
    DENIED,
    HIDDEN,
    OK,
    SIGNIN,
    Row,
    Side,
    body,
    edit_form,
    web,
)
from tests.authorization.world import THEME

GOAL = edit_form("goal_version", text="Find a flat", themes=[THEME], status="open")
ACTION = edit_form("action_version", text="Call the housing office", owner="young_person")
REVIEW = edit_form("review_version", held_on="2026-02-01", agreed="Keep going")


def AGREEMENT(side: Side) -> dict[str, Any]:
    """The agreement form says what the page showed: the content revision, and proposing."""
    return {"data": {"revision": str(side.plan_revision), "choice": "propose"}}


GOAL_JSON = body(lambda s: {"text": "A job", "themes": [THEME]})
GOAL_EDIT_JSON = body(lambda s: {"text": "A job", "version": s.goal_version})
ACTION_JSON = body(lambda s: {"text": "Apply", "owner": {"kind": "young_person"}})
ACTION_EDIT_JSON = body(lambda s: {"done": True, "version": s.action_version})
REVIEW_JSON = body(lambda s: {"held_on": "2026-02-01"})
REVIEW_EDIT_JSON = body(lambda s: {"agreed": "Fine", "version": s.review_version})


ROWS: dict[tuple[str, str], Row] = {
    # the plan
    ("GET", "/plan"): web(SIGNIN, OK, OK, HIDDEN, HIDDEN),
    ("GET", "/people/{person_id}/plan"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/people/{person_id}/plan/live"): web(SIGNIN, OK, DENIED, OK, DENIED, htmx=True),
    ("POST", "/people/{person_id}/plan/goals"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL),
    ("POST", "/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL),
    ("POST", "/goals/{goal_id}/actions"): web(SIGNIN, OK, DENIED, OK, DENIED, body=ACTION),
    ("POST", "/actions/{action_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=ACTION),
    ("POST", "/people/{person_id}/plan/reviews"): web(SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW),
    ("POST", "/reviews/{review_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW),
    ("POST", "/people/{person_id}/plan/agreement"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=AGREEMENT
    ),
    ("GET", "/people/{person_id}/plan/agreements/{agreement_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED
    ),
    ("GET", "/people/{person_id}/plan/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/goals/{goal_id}/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/people/{person_id}/plan/goals"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=GOAL_JSON
    ),
    ("GET", "/api/v1/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("PATCH", "/api/v1/goals/{goal_id}"): web(SIGNIN, OK, DENIED, OK, DENIED, body=GOAL_EDIT_JSON),
    ("GET", "/api/v1/goals/{goal_id}/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/goals/{goal_id}/actions"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=ACTION_JSON
    ),
    ("PATCH", "/api/v1/actions/{action_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=ACTION_EDIT_JSON
    ),
    ("POST", "/api/v1/people/{person_id}/plan/reviews"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW_JSON
    ),
    ("PATCH", "/api/v1/reviews/{review_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED, body=REVIEW_EDIT_JSON
    ),
    ("GET", "/api/v1/people/{person_id}/plan/history"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan/focus"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("POST", "/api/v1/people/{person_id}/plan/agreement"): web(SIGNIN, OK, DENIED, OK, DENIED),
    ("GET", "/api/v1/people/{person_id}/plan/agreements/{agreement_id}"): web(
        SIGNIN, OK, DENIED, OK, DENIED
    ),
}
