"""Joining another case manager's caseload: the young person sees who will see what and
confirms; the case managers who already work with them see who joined; it is audited."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth import identities
from app.auth.models import Account, AuthSession, CaseAssignment
from app.auth.naming import describe_account
from app.auth.oidc import Identity
from app.caseload import service as caseload
from app.caseload import sign_up
from app.caseload.models import Invitation
from app.core.config import Audience, OidcProvider
from app.core.i18n import current_locale, set_locale
from app.core.types import saved_id
from app.survey import service as survey
from app.survey.answers import save_answer
from tests.factories import assign, csrf_from, make_case_manager, make_young_person, sign_in


def staff(session: Session, name: str, organisation: str | None) -> Account:
    manager = make_case_manager(session, display_name=name)
    manager.organisation = organisation
    session.add(manager)
    session.flush()
    return manager


def with_assessments(session: Session, person: Account) -> None:
    """One completed assessment and one under way."""
    done, _ = survey.start_or_resume(session, actor=person)
    save_answer(session, actor=person, assessment=done, item_id="health.importance", value=7)
    survey.submit(session, actor=person, assessment=done)
    survey.start_or_resume(session, actor=person)


def managers_of(session: Session, person: Account) -> list[int]:
    rows = session.exec(
        select(CaseAssignment.case_manager_id).where(CaseAssignment.young_person_id == person.id)
    ).all()
    return sorted(rows)


def joins(session: Session, person: Account) -> list[AuditEvent]:
    """The person's joinings in the audit log (other tests' committed rows aside)."""
    statement = select(AuditEvent).where(
        AuditEvent.action == "caseload.join", AuditEvent.subject_id == person.id
    )
    return list(session.exec(statement).all())


def day(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo("Europe/Helsinki"))
    return f"{local.day}.{local.month}.{local.year}"


def text_of(html: str) -> str:
    """The page's words, without tags, on one line."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",")


def test_joining_another_caseload_asks_first_and_tells_the_first_case_manager(
    client: TestClient, session: Session
) -> None:
    kaisa = staff(session, "Kaisa K", "Kuopio youth services")
    mikko = staff(session, "Mikko M", "Kuopio social services")
    person = make_young_person(session, display_name="Aino A", locale="en")
    assign(session, kaisa, person)
    with_assessments(session, person)
    token = caseload.invite(session, actor=mikko)

    sign_in(client, person)
    page = client.get(f"/invitations/{token}")
    assert page.status_code == 200
    words = text_of(page.text)
    assert "Do you want to work with Mikko M?" in words
    assert (
        "Mikko M (case manager, Kuopio social services) has invited you to work together" in words
    )
    assert "What Mikko M will see and do" in words
    assert "Every assessment you make, including the 2 you have already made." in words
    assert "Your welfare plan and every change made to it, also the earlier ones." in words
    assert "They can edit your plan with you and record their own reading" in words
    kaisa_since = session.exec(
        select(CaseAssignment.created_at).where(CaseAssignment.case_manager_id == kaisa.id)
    ).one()
    assert f"Kaisa K (case manager, Kuopio youth services), since {day(kaisa_since)}" in words
    assert "If you join, your case manager will be told that Mikko M works with you too." in words
    form = re.search(
        rf'<form method="post" action="/invitations/{re.escape(token)}/join"[^>]*>(.*?)</form>',
        page.text,
        re.S,
    )
    assert form and 'name="csrf_token"' in form.group(1)
    assert '<button type="submit" class="button primary">Yes, join</button>' in form.group(1)
    assert '<a class="button" href="/">No, not now</a>' in form.group(1)
    # Seeing the page changed nothing.
    assert managers_of(session, person) == [kaisa.id]
    invitation = session.exec(select(Invitation).where(Invitation.case_manager_id == mikko.id))
    assert invitation.one().used_at is None
    assert joins(session, person) == []

    joined = client.post(
        f"/invitations/{token}/join",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/"
    assert managers_of(session, person) == sorted([saved_id(kaisa.id), saved_id(mikko.id)])
    assignment = session.exec(
        select(CaseAssignment).where(CaseAssignment.case_manager_id == mikko.id)
    ).one()
    [event] = joins(session, person)
    assert (event.actor_id, event.actor_role, event.subject_id) == (
        person.id,
        "young_person",
        person.id,
    )
    assert (event.object_type, event.object_id, event.outcome) == (
        "case_assignment",
        assignment.id,
        "allowed",
    )

    client.cookies.clear()
    sign_in(client, kaisa)
    client.cookies.set("mylife_lang", "en")
    since = day(assignment.created_at)
    also = f"Also with: Mikko M (case manager, Kuopio social services), since {since}"
    assert also in text_of(client.get("/caseload").text)
    assert also in text_of(client.get(f"/people/{person.id}").text)
    client.cookies.clear()
    sign_in(client, mikko)
    client.cookies.set("mylife_lang", "en")
    assert "Also with: Kaisa K (case manager, Kuopio youth services)" in text_of(
        client.get("/caseload").text
    )


def test_a_get_never_joins(client: TestClient, session: Session) -> None:
    kaisa = staff(session, "Kaisa K", None)
    person = make_young_person(session)
    token = caseload.invite(session, actor=kaisa)
    csrf = sign_in(client, person)
    client.headers.pop("X-CSRF-Token")  # the form alone proves where it comes from
    for _ in range(2):
        assert client.get(f"/invitations/{token}").status_code == 200
    assert client.get(f"/invitations/{token}/join").status_code == 405
    refused = client.post(f"/invitations/{token}/join", data={}, follow_redirects=False)
    assert refused.status_code == 403
    assert managers_of(session, person) == [] and joins(session, person) == []
    assert (
        client.post(
            f"/invitations/{token}/join", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    assert managers_of(session, person) == [kaisa.id] and len(joins(session, person)) == 1


def test_a_young_person_without_a_case_manager_sees_the_same_questions(
    client: TestClient, session: Session
) -> None:
    kaisa = staff(session, "Kaisa K", "Kuopio youth services")
    person = make_young_person(session, locale="sv")
    token = caseload.invite(session, actor=kaisa)
    sign_in(client, person)
    words = text_of(client.get(f"/invitations/{token}").text)
    assert "Vill du arbeta med Kaisa K?" in words
    assert "Kaisa K (kontaktperson, Kuopio youth services) har bjudit in dig" in words
    assert "Alla dina bedömningar." in words
    assert "Ingen kontaktperson ser dina uppgifter nu." in words
    assert "Ja, gå med" in words and "Nej, inte nu" in words
    assert managers_of(session, person) == []


def test_someone_already_in_the_caseload_is_told_so_and_not_asked(
    client: TestClient, session: Session
) -> None:
    kaisa = staff(session, "Kaisa K", None)
    person = make_young_person(session, locale="en")
    assign(session, kaisa, person)
    token = caseload.invite(session, actor=kaisa)
    sign_in(client, person)
    page = client.get(f"/invitations/{token}").text
    assert "You already work with Kaisa K (case manager)." in text_of(page)
    assert "/join" not in page


def test_the_person_sees_their_own_joining_as_theirs(client: TestClient, session: Session) -> None:
    kaisa = staff(session, "Kaisa K", None)
    person = make_young_person(session, locale="en")
    token = caseload.invite(session, actor=kaisa)
    csrf = sign_in(client, person)
    client.post(f"/invitations/{token}/join", data={"csrf_token": csrf})
    assert len(joins(session, person)) == 1
    page = " ".join(client.get("/me/access").text.split()).replace("&#39;", "'")
    assert "1 entry matches" in page
    assert (
        "<td>You</td> <td>started working with a new case manager, who now sees your information"
        in page
    )
    assert "Another MyLife user" not in page and "someone without access" not in page


def sign_up_form(client: TestClient, path: str, name: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_from(client.get(path).text),
        "display_name": name,
        "username": "lumi",
        "birth_date": "24.11.2008",
        "password": "long enough pw",
    }


def test_a_sign_up_name_copying_a_staff_members_is_refused_next_to_the_field(
    client: TestClient, session: Session
) -> None:
    staff(session, "Kaisa Korhonen", "Kuopio youth services")
    mikko = staff(session, "Mikko M", None)
    path = f"/invitations/{caseload.invite(session, actor=mikko)}"
    client.cookies.set("mylife_lang", "en")
    for copied in (
        "Kaisa Korhonen",  # the same
        "  kaisa   KORHONEN ",  # case and spaces
        "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "Kaisa Korhonen"),  # fullwidth
        "K\u0430isa Korhonen",  # a Cyrillic a
        "Kai\u200bsa Korhonen",  # a zero-width space
        "KAlSA KORHÖNEN",  # a small L for the capital I, and an accent
    ):
        page = client.post(path, data=sign_up_form(client, path, copied))
        assert page.status_code == 422, copied
        assert 'id="display_name-error">A staff member already uses this name.' in page.text
        assert re.search(
            r'<input id="display_name"[^>]*aria-describedby="\s*display_name-error"'
            r'[^>]*aria-invalid="true"',
            page.text,
        )
        assert 'value="lumi"' in page.text and 'value="24.11.2008"' in page.text
        assert "long enough pw" not in page.text
    assert session.exec(select(Account).where(Account.username == "lumi")).first() is None
    # Mikko's name is protected too; a name of one's own is not refused.
    page = client.post(path, data=sign_up_form(client, path, "mikko m."))
    assert page.status_code == 422 and 'id="display_name-error"' in page.text
    done = client.post(path, data=sign_up_form(client, path, "Kaisa Lumi"), follow_redirects=False)
    assert done.status_code == 303
    person = session.exec(select(Account).where(Account.username == "lumi")).one()
    assert person.display_name == "Kaisa Lumi" and managers_of(session, person) == [mikko.id]
    assert person.locale == "en"  # the language they signed up in, whatever the browser says


def test_a_former_staff_members_name_is_not_held(client: TestClient, session: Session) -> None:
    former = staff(session, "Ritva R", None)
    former.is_active = False
    session.add(former)
    session.flush()
    manager = staff(session, "Mikko M", None)
    path = f"/invitations/{caseload.invite(session, actor=manager)}"
    done = client.post(path, data=sign_up_form(client, path, "Ritva R"), follow_redirects=False)
    assert done.status_code == 303
    assert session.exec(
        select(col(Account.id)).where(Account.username == "lumi", Account.display_name == "Ritva R")
    ).one()


def test_a_verified_name_from_the_portal_is_the_persons_own(session: Session) -> None:
    kaisa = staff(session, "Kaisa Korhonen", "Kuopio youth services")
    token = caseload.invite(session, actor=kaisa)
    portal = OidcProvider(
        name="portal",
        label="Portal",
        audience=Audience.YOUNG_PEOPLE,
        discovery_url="https://portal.test/.well-known/openid-configuration",
        client_id="mylife",
    )
    verified = Identity(
        issuer="https://portal.test",
        subject="010203-1234",
        name="Kaisa Korhonen",
        birth_date="2008-11-24",
        id_token="unused",
    )
    person, joined = identities.sign_in(
        session,
        provider=portal,
        identity=verified,
        invitation=token,
        sign_up=sign_up.with_identity,
    )
    assert joined and person.display_name == "Kaisa Korhonen"
    assert managers_of(session, person) == [kaisa.id]
    # Told apart by the role that comes with the name wherever it is shown.
    before = current_locale()
    set_locale("en")
    try:
        assert describe_account(person) == "Kaisa Korhonen (young person)"
        assert describe_account(kaisa) == "Kaisa Korhonen (case manager, Kuopio youth services)"
    finally:
        set_locale(before)


def test_signing_up_from_an_invitation_ends_the_session_open_on_that_browser(
    client: TestClient, session: Session
) -> None:
    """A case manager hands their device over: the sign-up signs them out, for real."""
    kaisa = staff(session, "Kaisa Korhonen", None)
    sign_in(client, kaisa)
    earlier = client.cookies.get("mylife_session") or ""
    path = f"/invitations/{caseload.invite(session, actor=kaisa)}"
    done = client.post(path, data=sign_up_form(client, path, "Lumi"), follow_redirects=False)
    assert done.status_code == 303
    assert (
        session.exec(select(AuthSession).where(AuthSession.account_id == kaisa.id)).first() is None
    )
    client.cookies.clear()
    client.cookies.set("mylife_session", earlier)  # the earlier cookie no longer works
    assert client.get("/caseload", follow_redirects=False).status_code == 303
