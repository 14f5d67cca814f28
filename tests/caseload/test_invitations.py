"""Invitations: a single-use link with an expiry that brings a young person into a caseload."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import Account, CaseAssignment
from app.caseload import service
from app.caseload.models import Invitation
from tests.factories import csrf_from, make_case_manager, make_young_person, sign_in


def invitation_link(client: TestClient, session: Session) -> tuple[Account, str]:
    manager = make_case_manager(session, display_name="Kaisa K")
    token = sign_in(client, manager)
    page = client.post("/invitations", data={"csrf_token": token, "name": "Lumi"})
    assert page.status_code == 201 and "Lumi" in page.text
    link = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', page.text)
    assert link
    client.cookies.clear()
    return manager, link.group(1).replace("http://testserver", "")


def caseload_of(session: Session, manager: Account) -> list[int]:
    rows = session.exec(
        select(CaseAssignment.young_person_id).where(CaseAssignment.case_manager_id == manager.id)
    ).all()
    return list(rows)


def test_following_the_link_creates_the_account_and_links_it(
    client: TestClient, session: Session
) -> None:
    manager, path = invitation_link(client, session)
    client.cookies.set("mylife_lang", "en")
    page = client.get(path)
    assert "Kaisa K (case manager) has invited you" in page.text
    # Who sees what, said truly: the national portal too, when the person uses it.
    assert "only you and the case managers" not in page.text
    assert "The national portal reads them only when you use it and allow it." in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "display_name": "Lumi L",
        "username": "lumi",
        "birth_date": "24.11.2008",
        "password": "long enough pw",
    }
    home = client.post(path, data=form)
    assert home.status_code == 200 and "Hello, Lumi L" in home.text
    person = session.exec(select(Account).where(Account.username == "lumi")).one()
    assert caseload_of(session, manager) == [person.id]
    assert str(person.birth_date) == "2008-11-24"
    # Single use: the same link no longer works, for anyone.
    client.cookies.clear()
    client.cookies.set("mylife_lang", "en")
    again = client.get(path)
    assert again.status_code == 404 and "not valid any more" in again.text


def test_bad_sign_up_names_each_field_and_keeps_the_rest(
    client: TestClient, session: Session
) -> None:
    _manager, path = invitation_link(client, session)
    taken = make_young_person(session, username="taken")
    client.cookies.set("mylife_lang", "en")
    form = {
        "csrf_token": csrf_from(client.get(path).text),
        "display_name": "Lumi L",
        "username": taken.username,
        "birth_date": "31.2.2008",
        "password": "short",
    }
    page = client.post(path, data=form)
    assert page.status_code == 422
    assert 'id="username-error">This username is already in use.' in page.text
    assert 'id="birth_date-error">Give your date of birth' in page.text
    assert 'id="password-error">Use at least 10 characters.' in page.text
    assert 'value="Lumi L"' in page.text and 'value="31.2.2008"' in page.text
    assert "short" not in page.text  # a password is never sent back
    form["username"] = "x" * 200
    page = client.post(path, data=form)
    assert page.status_code == 422 and 'id="username-error">Use 3–40 letters' in page.text


def test_a_refused_sign_up_lists_each_problem_first_linking_to_its_field(
    client: TestClient, session: Session
) -> None:
    """A 16-year-old's first screen: what is wrong, all of it, at the top, each problem
    naming and linking its field; the page title says there is an error."""
    _manager, path = invitation_link(client, session)
    client.cookies.set("mylife_lang", "en")
    form = {
        "csrf_token": csrf_from(client.get(path).text),
        "display_name": "",
        "username": "lumi",
        "birth_date": "1.1.2030",  # typed right, but not yet
        "password": "short",
    }
    page = client.post(path, data=form).text
    assert "<title>Error: Welcome to MyLife – MyLife</title>" in page
    assert "Please check the highlighted fields." not in page
    summary = page[page.index('<div class="error-summary"') : page.index("</form>")]
    assert summary.startswith(
        '<div class="error-summary" role="alert" tabindex="-1" data-error-summary>'
    )
    links = re.findall(r'<li><a href="#(\w+)">([^<]+)</a></li>', summary)
    assert links == [
        ("display_name", "Your name: This field is required."),
        (
            "birth_date",
            "Date of birth: Your date of birth cannot be in the future. Check the year.",
        ),
        ("password", "Password: Use at least 10 characters."),
    ]
    for field, _text in links:  # each link leads to its field, below the summary
        assert summary.index("error-summary") < summary.index(f'<input id="{field}"')
    assert 'id="birth_date-error">Your date of birth cannot be in the future.' in page
    assert "Give your date of birth as day, month and year" not in page


def test_a_date_of_birth_is_a_day_of_four_digit_year_from_1900_to_today(
    client: TestClient, session: Session
) -> None:
    """Any age is taken (the versions for children come later): only a day that cannot be
    anyone's birthday is refused, each with the reason."""
    _manager, path = invitation_link(client, session)
    client.cookies.set("mylife_lang", "fi")
    token = csrf_from(client.get(path).text)
    said = {}
    for typed in ("1.1.2030", "31.12.1899", "1.1.08", "24.11.2008", "1.1.2020"):
        form = {"csrf_token": token, "display_name": "", "username": "", "birth_date": typed}
        page = client.post(path, data=form).text
        found = re.search(r'id="birth_date-error">([^<]+)<', page)
        said[typed] = found.group(1) if found else None
    assert said == {
        "1.1.2030": "Syntymäaika ei voi olla tulevaisuudessa. Tarkista vuosi.",
        "31.12.1899": "Tarkista syntymävuosi: se ei voi olla ennen vuotta 1900.",
        "1.1.08": "Anna syntymäaikasi muodossa päivä, kuukausi ja vuosi, esimerkiksi 24.11.2008.",
        "24.11.2008": None,
        "1.1.2020": None,  # six years old: not turned away by age
    }


def test_a_signed_in_young_person_joins_with_one_tap(client: TestClient, session: Session) -> None:
    manager, path = invitation_link(client, session)
    person = make_young_person(session)
    token = sign_in(client, person)
    assert client.post(f"{path}/join", data={"csrf_token": token}).status_code == 200
    assert caseload_of(session, manager) == [person.id]


def test_an_expired_invitation_is_refused(session: Session) -> None:
    manager = make_case_manager(session)
    token = service.invite(session, actor=manager)
    invitation = session.exec(
        select(Invitation).where(Invitation.case_manager_id == manager.id)
    ).one()  # the manager's only invitation, not whichever row comes last
    invitation.expires_at = invitation.created_at - timedelta(seconds=1)
    session.add(invitation)
    session.flush()
    person = make_young_person(session)
    try:
        service.accept_as(session, token=token, person=person)
        raise AssertionError("an expired invitation was accepted")
    except service.InvitationInvalid:
        pass
    assert caseload_of(session, manager) == []


def test_caseload_lists_people_with_their_last_assessment(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session)
    first, second = (
        make_young_person(session, display_name="Aada"),
        make_young_person(session, display_name="Bea"),
    )
    service_assign = service.auth_service.assign_case
    service_assign(session, case_manager=manager, young_person=first)
    service_assign(session, case_manager=manager, young_person=second)
    sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.get("/caseload")
    assert page.status_code == 200
    assert re.search(
        r'Aada</a></h2>\s*<dl class="facts">\s*<div>\s*<dt>Last assessment</dt>\s*<dd>none yet',
        page.text,
    )
    assert page.text.index("Aada") < page.text.index("Bea")
    assert "2 young people" in page.text


def test_a_made_up_or_refused_sign_up_costs_no_password_hash(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a sign-up whose every field is fine, from a valid invitation, is hashed: nobody
    can make the server compute Argon2 with made-up links."""
    from app.core import security

    hashed: list[str] = []
    real = security.hash_password

    def counted(password: str) -> str:
        hashed.append(password)
        return real(password)

    monkeypatch.setattr("app.caseload.views.hash_password", counted)
    token = csrf_from(client.get("/signin").text)
    form = {"csrf_token": token, "display_name": "A", "username": "abcde", "birth_date": "1.1.2006"}
    made_up = client.post(
        "/invitations/doesnotexist-xxxxxxxxxx", data={**form, "password": "x" * 12}
    )
    assert made_up.status_code == 404
    _manager, path = invitation_link(client, session)
    token = csrf_from(client.get(path).text)
    refused = client.post(
        path, data={**form, "csrf_token": token, "birth_date": "soon", "password": "x" * 12}
    )
    assert refused.status_code == 422
    assert hashed == []
    accepted = client.post(path, data={**form, "csrf_token": token, "password": "x" * 12})
    assert accepted.status_code == 200 and hashed == ["x" * 12]


def test_a_new_invitation_can_be_copied_or_shown_as_a_qr_code(
    client: TestClient, session: Session
) -> None:
    manager = make_case_manager(session, locale="en")
    token = sign_in(client, manager)
    client.cookies.set("mylife_lang", "en")
    page = client.post("/invitations", data={"name": "Lumi", "csrf_token": token})
    assert page.status_code == 201
    assert 'data-copy="invite-link"' in page.text and "Copy link" in page.text
    assert '<input id="invite-link" type="text" readonly' in page.text  # the visible fallback
    qr = page.text[page.text.index('<svg role="img"') :]
    assert "<title>QR code of the invitation link</title>" in qr and 'class="qr-line"' in qr
