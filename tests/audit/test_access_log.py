"""The young person's access log: real reads can't be flooded out of view, refusals are
counted, paging and filters show exactly what they say; list views and polls are audited
by one rule each."""

import re
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.audit import service as audit
from app.audit.actions import AuditAction
from app.audit.models import AuditEvent, Outcome
from app.auth import access
from app.auth.models import Account, Role
from app.core.types import LOCAL_TIME, local_today
from tests.factories import assign, counted, make_case_manager, make_young_person, sign_in


def as_user(client: TestClient, account: Account) -> None:
    client.cookies.clear()
    sign_in(client, account)
    client.cookies.set("mylife_lang", "en")


def shown(moment: datetime) -> str:
    """A moment as the page writes it (Finnish time)."""
    local = moment.astimezone(LOCAL_TIME)
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M}"


def local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=LOCAL_TIME).astimezone(UTC)


def months_ago(count: int, day: int = 15) -> date:
    today = local_today()
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, day)


def past_access(
    session: Session,
    actor: Account | None,
    person: Account,
    at: datetime,
    *,
    action: AuditAction = AuditAction.PLAN_READ,
    outcome: Outcome = Outcome.ALLOWED,
) -> AuditEvent:
    """An access recorded at an earlier moment, as the service would have written it."""
    row = audit.event(
        actor_id=actor.id if actor is not None else None,
        actor_role=str(actor.role) if actor is not None else audit.PORTAL,
        subject_id=person.id,
        action=action,
        object_type="plan" if actor is not None else "CarePlan",
        object_id=None,
        outcome=outcome,
        client_id="national-portal" if actor is None else None,
    )
    row.at = at
    session.add(row)
    session.flush()
    return row


def table_rows(page: str) -> list[list[str]]:
    """The cells of the accesses table, row by row."""
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    if body is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [[cell.strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]


def refusal_lines(page: str) -> list[str]:
    found = re.search(r'<ul class="plain-list refusals">(.*?)</ul>', page, re.S)
    lines = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
    return [" ".join(line.split()) for line in lines]


def options(page: str, name: str) -> list[tuple[str, str]]:
    select_html = re.search(rf'<select id="{name}" name="{name}">(.*?)</select>', page, re.S)
    assert select_html, name
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select_html.group(1))


def denied_count(session: Session, actor: Account, person: Account) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_id == actor.id,
            AuditEvent.subject_id == person.id,
            AuditEvent.outcome == Outcome.DENIED,
        )
    ).one()


def test_a_flood_of_refusals_leaves_every_real_read_in_view(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, display_name="Kaisa K")
    stranger = make_case_manager(session, display_name="Someone Else")
    other = make_young_person(session, display_name="Ville Vieras")
    person = make_young_person(session, display_name="Lumi")
    assign(session, manager, person)
    earlier = [local_noon(months_ago(n, day=3)) for n in (1, 7, 20)]
    for moment in earlier:
        past_access(session, manager, person, moment)
    as_user(client, manager)
    assert client.get(f"/people/{person.id}/plan").status_code == 200
    read_now = session.exec(
        select(AuditEvent.at)
        .where(AuditEvent.subject_id == person.id)
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert read_now is not None

    as_user(client, other)  # another young person hammers the plan: 250 times
    for index in range(250):
        url = f"/people/{person.id}/plan" if index % 2 else f"/api/v1/people/{person.id}/plan"
        assert client.get(url).status_code == 404
    as_user(client, stranger)  # a case manager of another caseload: 30 times
    for _ in range(30):
        assert client.get(f"/api/v1/people/{person.id}/plan").status_code == 404
    assert denied_count(session, other, person) == 250
    assert denied_count(session, stranger, person) == 30

    as_user(client, person)
    page = client.get("/me/access").text
    assert table_rows(page) == [
        [shown(moment), "Kaisa K (case manager)", "read your plan"]
        for moment in [read_now, *earlier]
    ]
    assert "4 entries match." in page
    today = f"{local_today().day}.{local_today().month}.{local_today().year}"
    assert refusal_lines(page) == [
        f"Someone Else (case manager) tried 30 times to open your plan, on {today}.",
        f"Another MyLife user tried 250 times to open your plan, on {today}.",
    ]
    assert "Ville" not in page  # the other young person is never named


def test_refusals_on_different_days_say_between_which_days(
    client: TestClient, session: Session
) -> None:
    other = make_young_person(session, display_name="Ville Vieras")
    person = make_young_person(session)
    first, last = local_noon(months_ago(2, day=3)), local_noon(months_ago(0, day=1))
    for moment in (first, local_noon(months_ago(1)), last):
        past_access(session, other, person, moment, outcome=Outcome.DENIED)
    past_access(
        session, other, person, first, action=AuditAction.GOAL_UPDATE, outcome=Outcome.DENIED
    )
    as_user(client, person)
    page = client.get("/me/access").text
    day = lambda moment: shown(moment).split()[0]  # noqa: E731
    assert refusal_lines(page) == [
        f"Another MyLife user tried 3 times to open your plan, between {day(first)} "
        f"and {day(last)}.",
        f"Another MyLife user tried once to change your plan, on {day(first)}.",
    ]
    assert "Nobody else has looked at your information in the last two years." in page
    assert table_rows(page) == []


def test_paging_and_both_filters_show_exactly_the_expected_rows(
    client: TestClient, session: Session
) -> None:
    anna = make_case_manager(session, display_name="Anna A")
    bert = make_case_manager(session, display_name="Bert B")
    bert.organisation = "Kuopio youth services"  # named as everywhere: name, role, organisation
    session.flush()
    person = make_young_person(session)
    assign(session, anna, person)
    assign(session, bert, person)
    recent, older = months_ago(3, day=1), months_ago(14, day=1)
    anna_reads = [local_noon(recent) + timedelta(hours=n) for n in range(60)]
    bert_reads = [local_noon(older) + timedelta(hours=n) for n in range(10)]
    portal_reads = [local_noon(older) + timedelta(days=2, hours=n) for n in range(5)]
    for moment in anna_reads:
        past_access(session, anna, person, moment)
    for moment in bert_reads:
        past_access(session, bert, person, moment)
    for moment in portal_reads:
        past_access(session, None, person, moment, action=AuditAction.FHIR_READ)
    as_user(client, person)

    first = client.get("/me/access").text
    assert "75 entries match." in first
    assert "Showing entries 1–50, page 1 of 2." in first
    rows = table_rows(first)
    assert len(rows) == 50
    assert [r[0] for r in rows] == [shown(m) for m in sorted(anna_reads, reverse=True)[:50]]
    assert 'href="/me/access?page=2#accesses" rel="next"' in first
    assert options(first, "who") == [
        ("", "Everyone"),
        (str(anna.id), "Anna A (case manager)"),
        ("portal", "The national portal"),
        (str(bert.id), "Bert B (case manager, Kuopio youth services)"),
    ]
    month_name = lambda day: f"{day:%B} {day.year}"  # noqa: E731
    assert options(first, "month") == [
        ("", "All months"),
        (f"{recent:%Y-%m}", month_name(recent)),
        (f"{older:%Y-%m}", month_name(older)),
    ]

    second = client.get("/me/access?page=2").text
    rows = table_rows(second)
    expected = [*sorted(anna_reads, reverse=True)[50:], *sorted(portal_reads + bert_reads)[::-1]]
    assert [r[0] for r in rows] == [shown(m) for m in expected]
    assert len(rows) == 25 and "Showing entries 51–75, page 2 of 2." in second
    assert rows[10][1:] == ["The national portal (national-portal)", "read your plan"]
    for wild in ("999999999999999999999999", "3", "-4", "abc", "0"):
        response = client.get(f"/me/access?page={wild}")
        assert response.status_code == 200
        wanted = second if wild in ("999999999999999999999999", "3") else first
        assert table_rows(response.text) == table_rows(wanted), wild

    by_bert = client.get(f"/me/access?who={bert.id}").text
    assert "10 entries match." in by_bert
    assert [r[0] for r in table_rows(by_bert)] == [shown(m) for m in reversed(bert_reads)]
    assert f'<option value="{bert.id}" selected>' in by_bert
    by_portal = client.get("/me/access?who=portal").text
    assert "5 entries match." in by_portal and len(table_rows(by_portal)) == 5

    in_older_month = client.get(f"/me/access?month={older:%Y-%m}").text
    assert "15 entries match." in in_older_month
    assert {r[1] for r in table_rows(in_older_month)} == {
        "Bert B (case manager, Kuopio youth services)",
        "The national portal (national-portal)",
    }
    assert (
        client.get(f"/me/access?who={anna.id}&month={older:%Y-%m}").text.count(
            "No entries match. Choose someone else or another month."
        )
        == 1
    )

    anna_page_two = client.get(f"/me/access?who={anna.id}&month={recent:%Y-%m}&page=2").text
    assert "60 entries match." in anna_page_two and len(table_rows(anna_page_two)) == 10
    assert f'href="/me/access?who={anna.id}&amp;month={recent:%Y-%m}#accesses"' in anna_page_two
    assert f'<option value="{recent:%Y-%m}" selected>' in anna_page_two

    ignored = client.get(f"/me/access?who={person.id}&month=1999-01").text
    assert "75 entries match." in ignored  # someone or a month not in the log: no filter


def test_rows_older_than_two_years_are_not_shown(client: TestClient, session: Session) -> None:
    manager = make_case_manager(session, display_name="Kaisa K")
    other = make_young_person(session)
    person = make_young_person(session)
    assign(session, manager, person)
    start = audit.log_start()
    too_old, kept = start - timedelta(days=3), start + timedelta(days=3)
    past_access(session, manager, person, too_old)
    past_access(session, manager, person, kept)
    past_access(session, other, person, too_old, outcome=Outcome.DENIED)
    past_access(session, other, person, kept, outcome=Outcome.DENIED)
    as_user(client, person)
    page = client.get("/me/access").text
    assert table_rows(page) == [[shown(kept), "Kaisa K (case manager)", "read your plan"]]
    assert "1 entry matches." in page
    assert refusal_lines(page) == [
        f"Another MyLife user tried once to open your plan, on {shown(kept).split()[0]}."
    ]
    kept_local = kept.astimezone(LOCAL_TIME)
    assert options(page, "month") == [
        ("", "All months"),
        (f"{kept_local:%Y-%m}", f"{kept_local:%B} {kept_local.year}"),
    ]


def test_the_caseload_is_recorded_once_a_day_and_each_opening_every_time(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session)
    people = [make_young_person(session) for _ in range(3)]
    assign(session, manager, *people)
    yesterday = datetime.combine(local_today(), time(), tzinfo=LOCAL_TIME) - timedelta(minutes=5)
    past_access(
        session, manager, people[0], yesterday.astimezone(UTC), action=AuditAction.CASELOAD_READ
    )
    as_user(client, manager)
    for _ in range(5):
        assert client.get("/caseload").status_code == 200
    for _ in range(3):
        assert client.get(f"/people/{people[0].id}/plan").status_code == 200

    def actions(person: Account) -> list[str]:
        return list(
            session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.actor_id == manager.id, AuditEvent.subject_id == person.id)
                .order_by(col(AuditEvent.id))
            ).all()
        )

    # Yesterday's row (five minutes before midnight, Finnish time) is not today's.
    assert actions(people[0]) == ["caseload.read"] * 2 + ["plan.read"] * 3
    assert actions(people[1]) == actions(people[2]) == ["caseload.read"]


def test_a_poll_is_audited_only_when_it_returns_the_plan_on_the_api_and_the_page(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session)
    stranger = make_case_manager(session)
    person = make_young_person(session)
    assign(session, manager, person)
    as_user(client, manager)

    def rows(outcome: Outcome = Outcome.ALLOWED) -> int:
        return session.exec(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.subject_id == person.id, AuditEvent.outcome == outcome)
        ).one()

    api, live = f"/api/v1/people/{person.id}/plan", f"/people/{person.id}/plan/live"
    first = client.get(api)
    assert first.status_code == 200 and rows() == 1
    etag = first.headers["etag"]
    assert etag == f'"r{first.json()["revision"]}"'
    for url in (api, live):
        for sent in (etag, f"W/{etag}", f'"r999", {etag}'):
            unchanged = client.get(url, headers={"If-None-Match": sent})
            assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag
    assert rows() == 1  # six answers of "unchanged": nothing disclosed, nothing recorded
    assert client.get(api, headers={"If-None-Match": '"r999"'}).status_code == 200
    assert rows() == 2
    assert client.get(live, headers={"If-None-Match": '"r999"'}).status_code == 200
    assert rows() == 3

    as_user(client, stranger)  # polling someone else's plan is refused, and recorded
    assert client.get(api, headers={"If-None-Match": etag}).status_code == 404
    assert client.get(live, headers={"If-None-Match": etag}).status_code == 404
    assert rows(Outcome.DENIED) == 2 and rows() == 3


def test_the_person_sees_their_own_changes_to_who_sees_them_and_how_they_sign_in(
    client: TestClient, session: Session
) -> None:
    """Joining a caseload and linking or removing a sign-in are the person's own acts, but
    they change who can see the data or act as the person: the log shows them, as "You"."""
    person = make_young_person(session, locale="en")
    manager = make_case_manager(session, display_name="Mikko M")
    for action, object_type in (
        (AuditAction.CASELOAD_JOIN, "case_assignment"),
        (AuditAction.IDENTITY_LINK, "external_identity"),
        (AuditAction.IDENTITY_UNLINK, "external_identity"),
    ):
        record(session, person, person, action, object_type, Outcome.ALLOWED)
    record(session, manager, person, AuditAction.IDENTITY_LINK, "external_identity", Outcome.DENIED)
    session.flush()
    sign_in(client, person)
    html = client.get("/me/access").text
    main = html[html.index("<main") : html.index("</main>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split()).replace("&#39;", "'")
    for what in (
        "started working with a new case manager, who now sees your information",
        "linked a new way to sign in to your account",
        "removed a way to sign in to your account",
    ):
        assert f"You {what}" in text
    assert "3 entries match" in text
    assert "Mikko M (case manager) tried once to link a way to sign in to your account" in text


def test_a_poll_that_names_no_revision_reads_the_plan_and_is_recorded(
    client: TestClient, session: Session
) -> None:
    """`If-None-Match: *` would learn the plan's revision with no record: it is a read."""
    manager, person = make_case_manager(session), make_young_person(session)
    assign(session, manager, person)
    sign_in(client, manager)
    answer = client.get(f"/api/v1/people/{person.id}/plan", headers={"If-None-Match": "*"})
    assert answer.status_code == 200 and answer.json()["goals"] == []
    reads = session.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_id == person.id, AuditEvent.action == "plan.read")
    ).one()
    assert reads == 1


def test_the_persons_own_refused_attempt_reads_as_theirs(
    client: TestClient, session: Session
) -> None:
    """A link of their own that failed (a stale provider sign-in) is "You", not lumped in
    with other young people's attempts."""
    person, other = make_young_person(session, locale="en"), make_young_person(session)
    for actor in (person, other):
        record(
            session, actor, person, AuditAction.IDENTITY_LINK, "external_identity", Outcome.DENIED
        )
    session.flush()
    sign_in(client, person)
    html = client.get("/me/access").text
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "You tried once to link a way to sign in to your account" in text
    assert "Another MyLife user tried once to link a way to sign in to your account" in text


def record(
    session: Session,
    actor: Account,
    person: Account,
    action: AuditAction,
    kind: str,
    outcome: Outcome,
) -> None:
    """One audit row about `person`, as the application writes it."""
    session.add(
        audit.event(
            **access.audit_actor(actor),
            subject_id=person.id,
            action=action,
            object_type=kind,
            object_id=None,
            outcome=outcome,
        )
    )


def test_the_page_asks_as_many_queries_however_many_people_it_names(
    client: TestClient, session: Session
) -> None:
    def statements_for_a_log_of(size: int) -> int:
        """Each of `size` staff members read the person's plan once and was refused once."""
        person = make_young_person(session)
        staff = [Account(display_name=f"Staff {n}", role=Role.CASE_MANAGER) for n in range(size)]
        session.add_all(staff)
        session.flush()
        for member in staff:
            past_access(session, member, person, local_noon(months_ago(1)))
            record(session, member, person, AuditAction.PLAN_READ, "plan", Outcome.DENIED)
        as_user(client, person)
        with counted(session) as statements:
            page = client.get("/me/access").text
        assert f"{size} entries match." in page
        text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
        assert text.count("Staff 1 (case manager)") == 3  # in the filter, a row and a refusal
        return len(statements)

    assert statements_for_a_log_of(2) == statements_for_a_log_of(40)
