"""The welfare plan's rules: goals, actions, reviews, focus, history, agreement, access."""

from datetime import date

import pytest
from sqlmodel import Session, select

from app.audit.actions import AuditAction
from app.audit.models import AuditEvent, Outcome
from app.auth.models import Account
from app.core.errors import CharacterNotAllowed, InvalidInput, NotFound
from app.plan import agreement, queries
from app.plan import service as plans
from app.plan.errors import StaleEdit
from app.plan.models import ActionOwner, Goal, GoalStatus, PlanChange
from app.survey import circle
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, make_case_manager, make_young_person


def pair(session: Session) -> tuple[Account, Account]:
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    return manager, person


def test_both_sides_write_one_plan(session: Session) -> None:
    manager, person = pair(session)
    mine = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    theirs = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    assert mine.id == theirs.id
    goal = plans.add_goal(
        session, actor=person, plan=mine, text=" Own flat ", themes=["housing", "finance"]
    )
    action = plans.add_action(
        session,
        actor=manager,
        plan=mine,
        goal=goal,
        values={
            "text": "Apply for housing support",
            "owner": ActionOwner.SERVICE,
            "service_name": "Social services",
            "due_on": date(2026, 12, 15),
        },
    )
    review = plans.add_review(
        session,
        actor=manager,
        plan=mine,
        values={
            "held_on": date(2026, 11, 20),
            "agreed": "Start with money",
            "changed": "",
            "next_review_on": date(2027, 1, 20),
        },
    )
    whole = queries.view(session, plan=mine)
    assert [g.goal.text for g in whole.goals] == ["Own flat"]
    assert whole.goals[0].goal.themes == ["housing", "finance"]
    assert [a.id for a in whole.goals[0].actions] == [action.id]
    assert [r.id for r in whole.reviews] == [review.id]
    assert mine.revision == 3


def test_bad_values_name_their_fields(session: Session) -> None:
    _manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    with pytest.raises(InvalidInput) as raised:
        plans.add_goal(session, actor=person, plan=plan, text="  ", themes=["nope"])
    assert sorted(e.field for e in raised.value.errors) == ["text", "themes"]
    goal = plans.add_goal(session, actor=person, plan=plan, text="Sleep better", themes=["health"])
    with pytest.raises(InvalidInput) as raised:
        plans.add_action(
            session,
            actor=person,
            plan=plan,
            goal=goal,
            values={"text": "Ask", "owner": ActionOwner.SERVICE, "service_name": ""},
        )
    assert raised.value.field == "service_name"
    with pytest.raises(InvalidInput) as raised:
        plans.add_review(
            session,
            actor=person,
            plan=plan,
            values={"held_on": date(2026, 5, 2), "next_review_on": date(2026, 5, 1)},
        )
    assert raised.value.field == "next_review_on"
    with pytest.raises(InvalidInput) as raised:
        plans.update_object(
            session,
            actor=person,
            plan=plan,
            obj=goal,
            expected_version=1,
            changes={"text": "x" * 2001},
        )
    assert raised.value.field == "text"
    assert goal.text == "Sleep better" and goal.version == 1
    # A NUL is refused, naming the field, as in the survey: never silently dropped.
    with pytest.raises(InvalidInput) as refused:
        plans.update_object(
            session,
            actor=person,
            plan=plan,
            obj=goal,
            expected_version=1,
            changes={"text": "Sleep\x00 better"},
        )
    assert refused.value.field == "text" and goal.text == "Sleep better"
    assert refused.value.errors[0].message == CharacterNotAllowed.message


def test_a_stale_edit_is_refused_and_carries_the_current_text(session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(
        session, actor=person, plan=plan, text="Find a job", themes=["studies_work"]
    )
    plans.update_object(
        session,
        actor=manager,
        plan=plan,
        obj=goal,
        expected_version=1,
        changes={"text": "Find a summer job"},
    )
    with pytest.raises(StaleEdit) as raised:
        plans.update_object(
            session,
            actor=person,
            plan=plan,
            obj=goal,
            expected_version=1,
            changes={"text": "Find a job I like"},
        )
    current = raised.value.extra["current"]
    assert isinstance(current, dict)
    assert (current["text"], current["version"]) == ("Find a summer job", 2)
    # Re-applied on the current version, it goes through.
    plans.update_object(
        session,
        actor=person,
        plan=plan,
        obj=goal,
        expected_version=2,
        changes={"text": "Find a job I like"},
    )
    assert (goal.text, goal.version) == ("Find a job I like", 3)


def test_history_keeps_who_when_before_and_after(session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="Move out", themes=["housing"])
    other = plans.add_goal(session, actor=person, plan=plan, text="Exercise", themes=["health"])
    plans.add_action(
        session,
        actor=manager,
        plan=plan,
        goal=goal,
        values={"text": "Visit the housing office", "owner": ActionOwner.YOUNG_PERSON},
    )
    plans.update_object(
        session,
        actor=manager,
        plan=plan,
        obj=goal,
        expected_version=1,
        changes={"status": "reached"},
    )
    for_goal = queries.history(session, plan=plan, goal_id=goal.id)
    assert [(c.object_type, c.kind, c.actor_name) for c in for_goal] == [
        ("goal", "updated", manager.display_name),
        ("action", "created", manager.display_name),
        ("goal", "created", person.display_name),
    ]
    assert for_goal[0].before["status"] == "open" and for_goal[0].after["status"] == "reached"  # type: ignore[index]
    whole = queries.history(session, plan=plan)
    assert len(whole) == 4 and other.id in [c.object_id for c in whole]
    assert [c.revision for c in whole] == [4, 3, 2, 1]


def test_no_change_makes_no_history(session: Session) -> None:
    _manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="Same", themes=["family"])
    plans.update_object(
        session,
        actor=person,
        plan=plan,
        obj=goal,
        expected_version=1,
        changes={"text": "Same", "themes": ["family"]},
    )
    assert goal.version == 1 and len(queries.history(session, plan=plan)) == 1


def test_focus_areas_come_from_the_latest_assessment(session: Session) -> None:
    _manager, person = pair(session)
    assessment, _ = survey.start_or_resume(session, actor=person)
    for theme, importance, satisfaction in (
        ("housing", 9, 3),
        ("family", 8, 7),
        ("finance", 10, 2),
    ):
        save_answer(
            session,
            actor=person,
            assessment=assessment,
            item_id=f"{theme}.importance",
            value=importance,
        )
        save_answer(
            session,
            actor=person,
            assessment=assessment,
            item_id=f"{theme}.satisfaction",
            value=satisfaction,
        )
    survey.submit(session, actor=person, assessment=assessment)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    assert [
        (f.theme_id, f.importance, f.satisfaction)
        for f in queries.focus_suggestions(session, plan=plan)
    ] == [
        ("finance", 10, 2),
        ("housing", 9, 3),
    ]


def test_the_plan_suggests_the_themes_the_circle_marks(session: Session) -> None:
    """One gap rule: exactly the threshold counts, a missing rating never does."""
    _manager, person = pair(session)
    assessment, _ = survey.start_or_resume(session, actor=person)
    definition = survey.assessment_definition(session, assessment)
    ratings = {
        "housing": (9, 9 - definition.gap_threshold),  # exactly the gap
        "family": (8, 9 - definition.gap_threshold),  # one short of it
        "health": (10, None),  # satisfaction not given
    }
    for theme, values in ratings.items():
        for viewpoint, value in zip(("importance", "satisfaction"), values, strict=True):
            if value is not None:
                save_answer(
                    session,
                    actor=person,
                    assessment=assessment,
                    item_id=f"{theme}.{viewpoint}",
                    value=value,
                )
    survey.submit(session, actor=person, assessment=assessment)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    answers = survey.answers_for(session, [assessment.id or 0])[assessment.id or 0]
    marked = [reading.theme_id for reading in circle.readings(definition, answers) if reading.gap]
    suggested = [focus.theme_id for focus in queries.focus_suggestions(session, plan=plan)]
    assert marked == suggested == ["housing"]


def test_agreement_needs_both_sides_and_freezes_the_version(session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(
        session, actor=person, plan=plan, text="Finish school", themes=["studies_work"]
    )
    assert agreement.status(session, plan=plan).state == "draft"
    proposal = agreement.agree(session, actor=person, plan=plan)
    assert (
        agreement.agree(session, actor=person, plan=plan).agreed_at is None
    )  # one side is not enough
    assert agreement.status(session, plan=plan).state == "proposed"
    agreed = agreement.agree(session, actor=manager, plan=plan)
    assert agreed.id == proposal.id and agreed.agreed_at is not None
    assert agreement.status(session, plan=plan).state == "agreed"
    # A later edit starts a new draft; the agreed version stays as it was.
    plans.update_object(
        session,
        actor=manager,
        plan=plan,
        obj=goal,
        expected_version=1,
        changes={"text": "Finish school by June"},
    )
    now = agreement.status(session, plan=plan)
    assert now.state == "draft" and now.last_agreed is not None and now.last_agreed.id == agreed.id
    frozen = agreement.agreed_version(session, plan=plan, agreement_id=agreed.id or 0)
    assert frozen.snapshot["goals"][0]["text"] == "Finish school"


def test_a_proposal_goes_stale_when_the_plan_changes(session: Session) -> None:
    manager, person = pair(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="A", themes=[])
    agreement.agree(session, actor=person, plan=plan)
    plans.update_object(
        session, actor=person, plan=plan, obj=goal, expected_version=1, changes={"text": "B"}
    )
    renewed = agreement.agree(session, actor=manager, plan=plan)  # proposes the new revision
    assert renewed.agreed_at is None and renewed.revision == plan.revision


def test_plans_outside_ones_reach_are_not_found_and_audited(session: Session) -> None:
    manager, person = pair(session)
    stranger_manager, stranger = make_case_manager(session), make_young_person(session)
    plan = plans.plan_of(
        session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=person, plan=plan, text="Private", themes=[])
    refusals = []
    for actor in (stranger_manager, stranger):
        with pytest.raises(NotFound) as read:
            plans.plan_of(
                session, actor=actor, person_id=person.id or 0, action=AuditAction.PLAN_READ
            )
        with pytest.raises(NotFound) as update:
            plans.object_in_plan(
                session,
                actor=actor,
                model=Goal,
                object_id=goal.id or 0,
                action=AuditAction.GOAL_UPDATE,
            )
        refusals += [*read.value.keep, *update.value.keep]
    # Each refusal carries its audit row, stored by the error handler after the rollback.
    assert [
        (r.actor_id, r.subject_id, r.action, r.object_id, r.outcome)  # type: ignore[attr-defined]
        for r in refusals
    ] == [
        (actor.id, person.id, action, object_id, Outcome.DENIED)
        for actor in (stranger_manager, stranger)
        for action, object_id in (("plan.read", None), ("plan.goal.update", goal.id))
    ]
    plans.object_in_plan(
        session, actor=manager, model=Goal, object_id=goal.id or 0, action=AuditAction.GOAL_READ
    )
    # Only the case manager's allowed read is in the log so far: the refusals are not yet.
    rows = session.exec(select(AuditEvent).where(AuditEvent.subject_id == person.id)).all()
    assert [(r.action, r.outcome) for r in rows] == [("plan.goal.read", Outcome.ALLOWED)]
    assert goal.status == GoalStatus.OPEN
    assert session.exec(select(PlanChange).where(PlanChange.plan_id == plan.id)).all()
