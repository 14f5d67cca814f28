"""The application's own route table, and a world of objects to fill its paths with.

Suites that must cover every route (authorisation, CSRF, bad input) iterate this table, so
a new route is covered (or makes a suite fail) the moment it exists.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi.routing import iter_route_contexts
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth import identities
from app.caseload import service as caseload
from app.main import app
from app.plan import agreement
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, make_case_manager, make_young_person

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PARAM = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    body: type[Any] | None  # the JSON body model, where the route declares one

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def fill(self, values: dict[str, str], **override: str) -> str:
        return PARAM.sub(lambda m: {**values, **override}[m.group(1)], self.path)


def route_table() -> list[RouteInfo]:
    """Every (method, path) the application answers, HEAD aside."""
    table = []
    for route in iter_route_contexts(app.routes):
        body_field = getattr(route, "body_field", None)
        body = body_field.field_info.annotation if body_field is not None else None
        model = body if isinstance(body, type) and hasattr(body, "model_fields") else None
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            table.append(RouteInfo(method, route.path or "", model))
    return table


@dataclass
class World:
    """A young person with a finished and an open assessment and a plan with one of each
    object, their case manager, and a second young person and case manager of their own."""

    person: Any
    manager: Any
    other_person: Any
    other_manager: Any
    values: dict[str, str]  # path parameter -> the first young person's object
    other_values: dict[str, str]  # path parameter -> the second young person's object


def _objects(session: Session, person: Any, manager: Any) -> dict[str, str]:
    done, _ = survey.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=done, item_id="health.importance", value=8)
    survey.submit(session, actor=person, assessment=done)
    still_open, _ = survey.start_or_resume(session, actor=person)
    plan = plans.plan_of(session, actor=manager, person_id=person.id, action=AuditAction.PLAN_READ)
    goal = plans.add_goal(session, actor=manager, plan=plan, text="Own flat", themes=["housing"])
    action = plans.add_action(
        session,
        actor=manager,
        plan=plan,
        goal=goal,
        values={"text": "Call the housing office", "owner": ActionOwner.YOUNG_PERSON},
    )
    review = plans.add_review(
        session, actor=manager, plan=plan, values={"held_on": date(2026, 1, 2)}
    )
    proposal = agreement.agree(session, actor=manager, plan=plan)
    identity = identities.link(
        session, account=person, issuer="https://portal.example", subject=f"person-{person.id}"
    )
    return {
        "person_id": str(person.id),
        "assessment_id": str(done.id),
        "open_assessment_id": str(still_open.id),
        "number": "1",
        "goal_id": str(goal.id),
        "action_id": str(action.id),
        "review_id": str(review.id),
        "agreement_id": str(proposal.id),
        "token": caseload.invite(session, actor=manager),
        "name": "portal",
        "code": "mylife_youth",
        "version": "1.0",
        "item_id": "health.future",
        "resource_id": str(done.id),
        "identity_id": str(identity.id),
    }


def build_world(session: Session) -> World:
    person, manager = make_young_person(session), make_case_manager(session)
    other_person, other_manager = make_young_person(session), make_case_manager(session)
    assign(session, manager, person)
    assign(session, other_manager, other_person)
    values = _objects(session, person, manager)
    other_values = _objects(session, other_person, other_manager)
    session.flush()
    return World(person, manager, other_person, other_manager, values, other_values)
