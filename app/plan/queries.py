"""Reading the plan: named queries that check nothing (the caller has checked access)."""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.core.types import saved_id
from app.plan.models import Goal, Plan, PlanAction, PlanAgreement, PlanChange, Review
from app.survey import queries as survey_queries
from app.survey import service as survey


def plan_of_person(session: Session, person_id: int) -> Plan | None:
    """The person's plan, if one exists (nothing is created)."""
    return session.exec(select(Plan).where(Plan.young_person_id == person_id)).first()


def plan_and_owner(session: Session, plan_id: int) -> tuple[Plan, int] | None:
    """A plan and whose it is (the caller checks access against the owner)."""
    plan = session.get(Plan, plan_id)
    return (plan, plan.young_person_id) if plan is not None else None


def goal_and_owner(session: Session, goal_id: int) -> tuple[Goal, int] | None:
    """A goal and whose plan it is in (the caller checks access against the owner)."""
    goal = session.get(Goal, goal_id)
    plan = session.get(Plan, goal.plan_id) if goal is not None else None
    return (goal, plan.young_person_id) if goal is not None and plan is not None else None


def goals_of_person(session: Session, person_id: int) -> list[Goal]:
    """Every goal in the person's plan, oldest first."""
    statement = (
        select(Goal)
        .join(Plan, col(Plan.id) == col(Goal.plan_id))
        .where(Plan.young_person_id == person_id)
        .order_by(col(Goal.id))
    )
    return list(session.exec(statement).all())


def has_goals(session: Session, *, plan: Plan) -> bool:
    """Whether the plan has a goal (a plan without one has nothing to agree on)."""
    found = session.exec(select(Goal.id).where(Goal.plan_id == plan.id).limit(1)).first()
    return found is not None


@dataclass
class GoalView:
    goal: Goal
    actions: list[PlanAction] = field(default_factory=list)


@dataclass
class PlanView:
    plan: Plan
    goals: list[GoalView]
    reviews: list[Review]


def view(session: Session, *, plan: Plan) -> PlanView:
    """The whole plan in three queries, however long it is."""
    goals = session.exec(select(Goal).where(Goal.plan_id == plan.id).order_by(col(Goal.id))).all()
    by_goal = {goal.id: GoalView(goal) for goal in goals}
    actions = session.exec(
        select(PlanAction).where(PlanAction.plan_id == plan.id).order_by(col(PlanAction.id))
    ).all()
    for action in actions:
        by_goal[action.goal_id].actions.append(action)
    reviews = session.exec(
        select(Review)
        .where(Review.plan_id == plan.id)
        .order_by(col(Review.held_on).desc(), col(Review.id).desc())
    ).all()
    return PlanView(plan=plan, goals=list(by_goal.values()), reviews=list(reviews))


def actions_of(session: Session, *, goal: Goal) -> list[PlanAction]:
    statement = select(PlanAction).where(PlanAction.goal_id == goal.id).order_by(col(PlanAction.id))
    return list(session.exec(statement).all())


def history(
    session: Session, *, plan: Plan, goal_id: int | None = None, since: int = 0
) -> list[PlanChange]:
    """Applied changes after revision `since`, newest first; for one goal, it and its actions."""
    statement = select(PlanChange).where(
        PlanChange.plan_id == plan.id, col(PlanChange.revision) > since
    )
    if goal_id is not None:
        statement = statement.where(PlanChange.goal_id == goal_id)
    return list(session.exec(statement.order_by(col(PlanChange.revision).desc())).all())


def last_change(
    session: Session, *, plan: Plan, object_type: str, object_id: int
) -> PlanChange | None:
    """The latest change to one object of the plan (who made its current version)."""
    statement = (
        select(PlanChange)
        .where(
            PlanChange.plan_id == plan.id,
            PlanChange.object_type == object_type,
            PlanChange.object_id == object_id,
        )
        .order_by(col(PlanChange.revision).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def agreements_of(session: Session, *, plan: Plan) -> list[PlanAgreement]:
    """Every proposal of the plan (agreed on or not), the oldest first."""
    statement = (
        select(PlanAgreement)
        .where(PlanAgreement.plan_id == plan.id)
        .order_by(col(PlanAgreement.revision))
    )
    return list(session.exec(statement).all())


def change_at(session: Session, *, plan: Plan, revision: int) -> PlanChange | None:
    """The change that made one revision of the plan."""
    statement = select(PlanChange).where(
        PlanChange.plan_id == plan.id, PlanChange.revision == revision
    )
    return session.exec(statement).first()


@dataclass(frozen=True)
class Focus:
    theme_id: str
    importance: int
    satisfaction: int


def focus_suggestions(session: Session, *, plan: Plan) -> list[Focus]:
    """Themes of the latest completed assessment rated clearly more important than satisfying
    (the survey's gap rule), the widest gap first."""
    latest = survey_queries.latest_completed(session, [plan.young_person_id]).get(
        plan.young_person_id
    )
    if latest is None:
        return []
    definition = survey.assessment_definition(session, latest)
    answers = survey.answers_for(session, [saved_id(latest.id)])[saved_id(latest.id)]
    importance = definition.ratings(answers, "importance")
    satisfaction = definition.ratings(answers, "satisfaction")
    found = []
    for theme in definition.themes:
        imp, sat = importance[theme.id], satisfaction[theme.id]
        if definition.more_important_than_satisfying(imp, sat):
            found.append(Focus(theme.id, imp or 0, sat or 0))
    return sorted(found, key=lambda f: f.satisfaction - f.importance)
