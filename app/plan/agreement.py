"""Agreeing on a plan version: one side proposes it, the other side's agreement freezes it.

An agreement covers the plan's content: its goals and actions, what is done, by whom
and by when (`service.AGREED`). Progress is not part of it: ticking an action done,
marking a goal reached or recording a review keeps the agreement (and is kept in the
history). A proposal is for one content revision; a later change to the content makes
it stale (the plan is a draft again); an agreed version stays as it was, viewable and
printable. A plan without goals cannot be proposed.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.auth.models import Account, Role
from app.auth.naming import describe, describe_account, role_label
from app.core.errors import NotFound
from app.core.i18n import N_, Labelled, gettext
from app.core.types import saved_id, utcnow
from app.plan import queries, service
from app.plan.errors import (
    AgreedMeanwhile,
    AgreementMoved,
    NothingToAgree,
    PlanChangedByYou,
    PlanChangedMeanwhile,
    ProposedMeanwhile,
)
from app.plan.models import Plan, PlanAgreement, PlanState


def same_side(role: str, other: str) -> bool:
    """Whether two roles are on one side of an agreement: the young person is on theirs, every
    member of staff (a case manager; a team member of another service, later) on the other.
    Either side's proposal waits for the other side; whose words say so is decided by account
    (`named`), never by role: a colleague's proposal is not the reader's own."""
    return (role == Role.YOUNG_PERSON) == (other == Role.YOUNG_PERSON)


def named(session: Session, account_id: int | None, role: str = "") -> str:
    """Who proposed or agreed, as others see them; their role if the account is gone."""
    account = session.get(Account, account_id) if account_id is not None else None
    if account is not None:
        return describe_account(account)
    return role_label(role) or gettext("Someone")


def snapshot(session: Session, *, plan: Plan) -> dict[str, Any]:
    """What the agreement covers of the plan as it is now (no progress, no reviews)."""
    whole = queries.view(session, plan=plan)
    return {
        "revision": plan.content_revision,
        "goals": [
            {
                **service.data(g.goal, agreed_only=True),
                "actions": [service.data(a, agreed_only=True) for a in g.actions],
            }
            for g in whole.goals
        ],
    }


@dataclass(frozen=True)
class Seen:
    """What the person saw when they chose: the content revision, and whether they were
    proposing or agreeing to the other side's proposal."""

    revision: int
    agreeing: bool


@dataclass(frozen=True)
class Status:
    state: PlanState
    proposal: PlanAgreement | None
    last_agreed: PlanAgreement | None

    @property
    def current(self) -> PlanAgreement | None:
        """The proposal or agreement of the plan's current content, if any."""
        return self.last_agreed if self.state is PlanState.AGREED else self.proposal


def state_of(agreement_id: int | None, agreed_at: datetime | None) -> PlanState:
    """The rule, from the current revision's agreement (if any): agreed once both sides have,
    proposed while one has, else a draft. The plan page and the caseload both decide by it."""
    if agreed_at is not None:
        return PlanState.AGREED
    return PlanState.PROPOSED if agreement_id is not None else PlanState.DRAFT


class Standing(Labelled):
    """A plan's state as one side of it reads it in a list: whose move it is."""

    NOT_STARTED = "not_started", N_("not started")
    EMPTY = "empty", N_("draft (no goals)")
    DRAFT = "draft", N_("draft")
    CHANGED = "changed", N_("changed since agreed on %(date)s")  # a draft, agreed before
    YOURS = "yours", N_("waiting for your agreement")  # the other side proposed it
    THEIRS = "theirs", N_("proposed, waiting for %(name)s")
    AGREED = "agreed", N_("agreed")

    def says(self, *, young: bool, person: str, agreed_on: str = "") -> str:
        """The standing in words for its reader: whose agreement is awaited (`person` to a
        member of staff, "your case manager" to the young person), and since when a changed
        plan was agreed on (`agreed_on`, a day as written)."""
        if self is Standing.THEIRS and young:
            return gettext("proposed, waiting for your case manager")
        if self is Standing.THEIRS:
            return gettext(self._words[0], name=person)
        if self is Standing.CHANGED:
            return gettext(self._words[0], date=agreed_on)
        return self.label


def standing_of(
    state: PlanState | None,
    *,
    goals: int,
    proposed_by_role: str | None,
    reader: str,
    agreed_before: bool = False,
) -> Standing:
    """The rule for lists (the caseload): a plan without goals is an empty draft, a draft agreed
    on before has changed since; a proposal is the reader's to agree to unless the reader's
    side made it. `state` None: no plan yet."""
    if state is None:
        return Standing.NOT_STARTED
    if state is PlanState.AGREED:
        return Standing.AGREED
    if state is PlanState.PROPOSED:
        mine = proposed_by_role is not None and same_side(proposed_by_role, reader)
        return Standing.THEIRS if mine else Standing.YOURS
    if agreed_before:
        return Standing.CHANGED
    return Standing.DRAFT if goals else Standing.EMPTY


def of_current_revision() -> ColumnElement[bool]:
    """Join condition: the agreement, if any, on the plan's current content (for read models
    that decide many plans' states in one query, with `state_of`)."""
    return (col(PlanAgreement.plan_id) == col(Plan.id)) & (
        col(PlanAgreement.revision) == col(Plan.content_revision)
    )


def status(session: Session, *, plan: Plan) -> Status:
    agreements = session.exec(
        select(PlanAgreement)
        .where(PlanAgreement.plan_id == plan.id)
        .order_by(col(PlanAgreement.revision).desc())
    ).all()
    current = next((a for a in agreements if a.revision == plan.content_revision), None)
    last_agreed = next((a for a in agreements if a.agreed_at is not None), None)
    state = state_of(current.id, current.agreed_at) if current else state_of(None, None)
    if state is PlanState.AGREED:
        return Status(state, None, current)
    return Status(state, current, last_agreed)


def current(session: Session, *, plan: Plan) -> PlanAgreement | None:
    """The proposal or agreement of the plan's current content, if there is one."""
    return session.exec(
        select(PlanAgreement).where(
            PlanAgreement.plan_id == plan.id, PlanAgreement.revision == plan.content_revision
        )
    ).first()


def _check(
    session: Session, actor: Account, plan: Plan, found: PlanAgreement | None, seen: Seen | None
) -> None:
    """Refuse an empty plan; refuse a choice made on a plan or agreement that has changed
    since, saying what happened (proposing what the other side has just proposed is not
    agreeing to it)."""
    if not queries.has_goals(session, plan=plan):
        raise NothingToAgree(field="agreement")
    if seen is None:
        return
    if seen.revision != plan.content_revision:
        raise _changed(session, actor, plan)
    if found is not None and found.agreed_at is not None and found.agreed_by_id != actor.id:
        name = named(session, found.agreed_by_id)
        raise AgreedMeanwhile(field="agreement", params={"name": name})
    others = found is not None and not same_side(found.proposed_by_role, actor.role)
    if found is not None and seen.agreeing != others:
        raise _proposed(session, found)
    if seen.agreeing != others:
        raise AgreementMoved(field="agreement")
    if found is not None and not others and found.proposed_by_id != actor.id:
        raise _proposed(session, found)  # a colleague on the actor's side, meanwhile


def _changed(session: Session, actor: Account, plan: Plan) -> AgreementMoved:
    """The plan's content changed since the page: by whom (its latest content change)."""
    change = queries.change_at(session, plan=plan, revision=plan.content_revision)
    if change is None:
        return AgreementMoved(field="agreement")
    if change.actor_id == actor.id:
        return PlanChangedByYou(field="agreement")
    name = describe(change.actor_name, change.actor_role, change.actor_organisation)
    return PlanChangedMeanwhile(field="agreement", params={"name": name})


def _proposed(session: Session, found: PlanAgreement) -> AgreementMoved:
    name = named(session, found.proposed_by_id, found.proposed_by_role)
    return ProposedMeanwhile(field="agreement", params={"name": name})


def agree(
    session: Session, *, actor: Account, plan: Plan, seen: Seen | None = None
) -> PlanAgreement:
    """Propose the current content, or agree to the other side's proposal of it."""
    if plan.id is None:
        raise NothingToAgree(field="agreement")
    # Hold the plan while reading it, so the snapshot is exactly this revision.
    locked = session.exec(select(Plan).where(Plan.id == plan.id).with_for_update()).one()
    session.refresh(locked)
    found = current(session, plan=locked)
    _check(session, actor, locked, found, seen)
    if found is None:
        found = _propose(session, actor, locked)
        if seen is not None and found.proposed_by_id != actor.id:
            raise _proposed(session, found)  # someone else's, made at this moment
    if found.agreed_at is None and not same_side(found.proposed_by_role, actor.role):
        found.agreed_by_id = actor.id
        found.agreed_at = utcnow()
        session.add(found)
        session.flush()
    return found


def _propose(session: Session, actor: Account, plan: Plan) -> PlanAgreement:
    """A proposal of the plan's current content; or the other side's, made at this moment."""
    proposal = PlanAgreement(
        plan_id=saved_id(plan.id),
        revision=plan.content_revision,
        snapshot=snapshot(session, plan=plan),
        proposed_by_id=actor.id,
        proposed_by_role=str(actor.role),
    )
    try:
        with session.begin_nested():
            session.add(proposal)
        return proposal
    except IntegrityError:  # the other side proposed the same content at this moment
        found = current(session, plan=plan)
        assert found is not None  # the row that collided
        return found


def agreed_version(session: Session, *, plan: Plan, agreement_id: int) -> PlanAgreement:
    found = session.get(PlanAgreement, agreement_id)
    if found is None or found.plan_id != plan.id or found.agreed_at is None:
        raise NotFound()
    return found
