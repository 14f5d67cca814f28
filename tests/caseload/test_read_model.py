"""The caseload reads each domain's own rule: the help flag is the help box the person sees,
and an action is overdue by the day in Finland on the caseload and on the plan page alike."""

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth.models import Account
from app.caseload import service as caseload
from app.core.templates import environment
from app.core.types import local_today
from app.plan import queries
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.plan.owners import reader_for
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, make_case_manager, make_young_person, sign_in

HELP_TITLE = "Help is there right now"  # the instrument's help rule, in English


def assess(session: Session, person: Account, coping: int) -> None:
    assessment, _ = survey.start_or_resume(session, actor=person)
    save_answer(
        session,
        actor=person,
        assessment=assessment,
        item_id="resilience.satisfaction",
        value=coping,
    )
    survey.submit(session, actor=person, assessment=assessment)


def test_the_caseload_flags_whom_the_help_box_is_shown_to(
    client: TestClient, session: Session
) -> None:
    """One help rule, on the latest completed assessment: a person whose answers call for help
    is flagged and sees the box; one whose latest answers are fine (though an earlier one's
    were not) is neither."""
    manager = make_case_manager(session)
    low = make_young_person(session, display_name="Low")
    better = make_young_person(session, display_name="Better")
    assign(session, manager, low, better)
    assess(session, low, coping=1)
    assess(session, better, coping=1)
    assess(session, better, coping=8)
    flagged = {
        row.display_name: row.needs_help for row in caseload.caseload(session, actor=manager)
    }
    shown = {}
    for person in (low, better):
        client.cookies.clear()
        sign_in(client, person)
        client.cookies.set("mylife_lang", "en")
        shown[person.display_name] = HELP_TITLE in client.get("/").text
    assert flagged == shown == {"Low": True, "Better": False}


def test_an_action_is_overdue_by_the_day_in_finland(client: TestClient, session: Session) -> None:
    """At 23:30 UTC it is already the next day in Helsinki: an action due on the UTC date is
    overdue on the caseload and marked so on the plan page, one due on the Finnish date is not."""
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    today = local_today(now)
    assert (now.date(), today) == (date(2026, 11, 30), date(2026, 12, 1))
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    plan = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    goal = plans.add_goal(session, actor=manager, plan=plan, text="A home", themes=[])
    for text, due_on in (("Call the office", now.date()), ("Visit the flat", today)):
        values = {"text": text, "owner": ActionOwner.YOUNG_PERSON, "due_on": due_on}
        plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)
    (row,) = caseload.caseload(session, actor=manager, now=now)
    summary = caseload.summary(session, actor=manager, person_id=person.id or 0, now=now)
    assert row.overdue_actions == summary.overdue_actions == 1
    (shown,) = queries.view(session, plan=plan).goals
    page = environment.from_string(
        '{% from "plan/_parts.html" import goal_view with context %}{{ goal_view(g, {}) }}'
    ).render(
        g=shown,
        today=today,
        person=person,
        mine=False,
        reader=reader_for(session, actor=manager, person=person),
    )
    marked = [item for item in page.split("<li")[1:] if 'class="overdue"' in item]
    assert len(marked) == 1 and "Call the office" in marked[0]


def test_the_home_page_shows_the_plan_as_the_caseload_reads_it(
    client: TestClient, session: Session
) -> None:
    """The person's home page and the caseload take a plan's state and next review from the
    same named query."""
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    plan = plans.plan_of(
        session, actor=manager, person_id=person.id or 0, action=AuditAction.PLAN_READ
    )
    plans.add_goal(session, actor=manager, plan=plan, text="A home", themes=[])
    for held_on, next_on in ((date(2026, 9, 1), date(2026, 12, 1)), (date(2026, 11, 1), None)):
        values = {"held_on": held_on, "next_review_on": next_on}
        plans.add_review(session, actor=manager, plan=plan, values=values)
    (row,) = caseload.caseload(session, actor=manager)
    sign_in(client, person)
    client.cookies.set("mylife_lang", "en")
    home = client.get("/").text
    assert (row.plan_state, row.next_review_on) == ("draft", date(2026, 12, 1))
    assert "Plan: draft" in home and "Next review: 1.12.2026" in home
