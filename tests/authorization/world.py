"""The data every cell of the authorisation matrix starts from, and its callers.

Each cell makes a young person, their case manager and (for a caller on someone else's data)
a second young person with a manager of their own; the objects a request names are made the
first time it asks for their ids.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth import identities
from app.auth.models import Account
from app.caseload import service as caseload
from app.plan import agreement as agreements
from app.plan import service as plans
from app.plan.models import ActionOwner, Goal, Plan, PlanAction, Review
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import (
    THEME_IDS,
    assign,
    csrf_from,
    make_case_manager,
    make_young_person,
    sign_in,
)
from tests.fhir.test_fhir_api import claims_for, signed
from tests.oidc.provider import SMART_SCOPES, Provider

MISSING = 2_147_483_000  # an id that no object has
THEME = THEME_IDS[0]


def _id_of(made: str) -> Any:
    """The id of the object a Data attribute makes (on first use)."""
    return property(lambda data: getattr(data, made).id or 0)


def _version_of(made: str) -> Any:
    """The current version of the object a Data attribute makes (on first use)."""
    return property(lambda data: getattr(data, made).version)


class Data:
    """One young person's data, each object made the first time a request asks for its id:
    making all of it for every cell would be most of the matrix's time."""

    def __init__(self, session: Session, person: Account, manager: Account) -> None:
        self.session, self.account, self.manager = session, person, manager
        self.person = person.id or 0
        self.username = person.username or ""
        self.markers = [person.display_name]  # texts of the person's data made so far

    def text(self, part: str) -> str:
        made = f"{part} of {self.account.display_name}"
        self.markers.append(made)
        return made

    @cached_property
    def assessment(self) -> int:
        """A completed assessment."""
        done, _ = survey.start_or_resume(self.session, actor=self.account)
        for item, value in (("importance", 9), ("future", self.text("Future"))):
            save_answer(
                self.session,
                actor=self.account,
                assessment=done,
                item_id=f"{THEME}.{item}",
                value=value,
            )
        survey.submit(self.session, actor=self.account, assessment=done)
        return done.id or 0

    @cached_property
    def open_assessment(self) -> int:
        """An assessment being answered (made after the completed one: one is open at a time)."""
        _ = self.assessment
        answering, _ = survey.start_or_resume(self.session, actor=self.account)
        return answering.id or 0

    @cached_property
    def _plan(self) -> Plan:
        found = plans.plan_of(
            self.session, actor=self.account, person_id=self.person, action=AuditAction.PLAN_READ
        )
        return plans.stored(self.session, found)

    @cached_property
    def _goal(self) -> Goal:
        text = self.text("Goal")
        return plans.add_goal(
            self.session, actor=self.account, plan=self._plan, text=text, themes=[THEME]
        )

    @cached_property
    def _action(self) -> PlanAction:
        values = {"text": self.text("Action"), "owner": ActionOwner.YOUNG_PERSON}
        return plans.add_action(
            self.session, actor=self.account, plan=self._plan, goal=self._goal, values=values
        )

    @cached_property
    def _review(self) -> Review:
        values = {"held_on": date(2026, 1, 15), "agreed": self.text("Review"), "changed": ""}
        return plans.add_review(self.session, actor=self.account, plan=self._plan, values=values)

    @cached_property
    def plan_revision(self) -> int:
        """The content revision the plan page shows with a goal (its agreement form sends it)."""
        _ = self._goal
        return self._plan.content_revision

    @cached_property
    def agreement(self) -> int:
        """A version of the plan (with a goal) proposed by the person, agreed by the manager."""
        _ = self._goal
        agreements.agree(self.session, actor=self.account, plan=self._plan)
        return agreements.agree(self.session, actor=self.manager, plan=self._plan).id or 0

    @cached_property
    def person_with_data(self) -> int:
        """The person, with a completed assessment and a plan with a goal (what their pages
        show): for a route about the person as a whole."""
        _ = self.assessment, self._goal
        return self.person

    @cached_property
    def identity(self) -> int:
        """A sign-in of the person's at a second provider (removable: they have a password)."""
        subject = f"second-{secrets.token_hex(4)}"
        issuer = "https://second.example"
        return (
            identities.link(self.session, account=self.account, issuer=issuer, subject=subject).id
            or 0
        )

    @cached_property
    def invitation(self) -> str:
        """An open invitation link of the person's case manager."""
        return caseload.invite(self.session, actor=self.manager)

    # The ids a request names, and the versions an edit is sent with.
    plan = _id_of("_plan")
    goal, goal_version = _id_of("_goal"), _version_of("_goal")
    action, action_version = _id_of("_action"), _version_of("_action")
    review, review_version = _id_of("_review"), _version_of("_review")


@dataclass(frozen=True)
class Nobody:
    """The ids of a person and objects that do not exist."""

    missing: int
    invitation: str
    markers: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Any:
        """Every id (and version) of Data is `missing`."""
        if name == "username":
            return f"nobody-{self.missing}"
        if name not in ("person", *dir(Data)) or name.startswith("_"):
            raise AttributeError(name)
        return self.missing


NOBODY = Nobody(MISSING, "no-such-invitation-token")


@dataclass(frozen=True)
class World:
    young_person: Account  # the caller "young person"
    case_manager: Account  # the caller "case manager": the young person's own
    subject: str  # the young person's identity at the portal: the subject of the portal's token
    side: Data  # the data the cell asks about: the young person's own, or someone else's


def young_person(session: Session, manager: Account, name: str) -> Account:
    person = make_young_person(session, display_name=f"{name} {secrets.token_hex(3)}")
    assign(session, manager, person)
    return person


def build_world(session: Session, issuer: str, *, other: bool) -> World:
    """The callers, and whose data is asked about: the young person's, or (other) that of
    someone in another case manager's caseload."""
    mine = make_case_manager(session)
    person = young_person(session, mine, "Aino")
    subject = f"matrix-{secrets.token_hex(4)}"
    identities.link(session, account=person, issuer=issuer, subject=subject)
    if other:
        theirs = make_case_manager(session)
        side = Data(session, young_person(session, theirs, "Bertta"), theirs)
    else:
        side = Data(session, person, mine)
    return World(young_person=person, case_manager=mine, subject=subject, side=side)


def sign_in_as(actor: str, client: TestClient, world: World, portal: Provider) -> dict[str, str]:
    """Sign in once as the caller; the headers of its requests (CSRF token, bearer token)."""
    if actor.startswith("young_person"):
        token = sign_in(client, world.young_person)
    elif actor.startswith("case_manager"):
        token = sign_in(client, world.case_manager)
    else:
        token = csrf_from(client.get("/offline").text)
    headers = {"X-CSRF-Token": token}
    if actor.startswith("portal"):
        scope = "patient/Observation.read" if actor == "portal_no_scope" else " ".join(SMART_SCOPES)
        bearer = signed(portal.signing_key, claims_for(portal, world.subject, scope=scope))
        headers["Authorization"] = f"Bearer {bearer}"
    return headers
