"""Linking a provider identity to a signed-in young person, and removing it again, against
a real OpenID Connect provider process, over HTTP.

Linking is a form on the sign-in methods page (POST with the CSRF token); the provider is
asked for a fresh sign-in, and the answer counts only in the browser session that asked.
"""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent, Outcome
from app.auth import identities
from app.auth.models import Account, AuthSession, ExternalIdentity, Role
from app.core.config import get_settings
from tests.factories import csrf_from, make_young_person, sign_in
from tests.oidc.fixtures import APP
from tests.oidc.provider import TLS, Provider, follow_until, log_in
from tests.oidc.test_signin import page_text, provider_sign_in, start_sign_in

METHODS = "/account/sign-in-methods"


@pytest.fixture(autouse=True)
def in_english(client: TestClient) -> None:
    client.headers["Accept-Language"] = "en"


def start_link(client: TestClient) -> httpx2.Response:
    """Press "Link my own Omaolo account" on the sign-in methods page."""
    page = client.get(METHODS)
    assert page.status_code == 200, page.text
    assert f'action="{METHODS}/link/portal"' in page.text
    to_provider = client.post(
        f"{METHODS}/link/portal", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False
    )
    assert to_provider.status_code == 302, to_provider.text
    return to_provider


def at_provider(browser: httpx.Client, location: str, subject: str) -> str:
    """At the provider the person is asked to sign in (whoever is signed in there already),
    does so as `subject`; returns the address of MyLife's callback."""
    page = browser.get(location, follow_redirects=True)
    assert 'name="login"' in page.text, page.text
    answer = log_in(browser, page, subject)
    while not answer.headers.get("location", "").startswith(APP):
        if answer.status_code in (302, 303):
            answer = browser.get(answer.headers["location"])
            continue
        # Another person was signed in there: the provider signs them out first, with a
        # form that a browser submits by itself.
        action = re.search(r'<form method="post" action="([^"]+)"', answer.text)
        assert action and "document.forms[0].submit()" in answer.text, answer.text
        hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', answer.text)
        answer = browser.post(unescape(action.group(1)), data=dict(hidden))
    return answer.headers["location"].removeprefix(APP)


def provider_session(client: TestClient, subject: str) -> httpx.Client:
    """A browser in which `subject` is signed in at the provider (someone left it so)."""
    browser = httpx.Client(verify=TLS)
    with TestClient(client.app, base_url=APP) as elsewhere:  # MyLife refuses the stranger
        assert (
            provider_sign_in(elsewhere, "/auth/oidc/portal/login", subject, browser).status_code
            == 403
        )
    return browser


def identities_of(session: Session, person: Account) -> list[ExternalIdentity]:
    session.expire_all()
    statement = select(ExternalIdentity).where(ExternalIdentity.account_id == person.id)
    return list(session.exec(statement).all())


def audit_rows(session: Session, person: Account) -> list[AuditEvent]:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.subject_id == person.id, AuditEvent.object_type == "external_identity")
        .order_by(col(AuditEvent.id))
    )
    return list(session.exec(statement).all())


def test_a_get_with_link_is_an_ordinary_sign_in_and_links_nothing(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person = make_young_person(session, display_name="Aino Local")
    session.commit()
    sign_in(client, person)
    # What a page on another site could make the browser do: it only starts a sign-in,
    # with no fresh login asked, and someone else's identity at the provider links nothing.
    assert client.get("/auth/oidc/portal/login?link=true").status_code == 405
    start = start_sign_in(client, "/auth/oidc/portal/login?link=true")
    query = parse_qs(urlparse(start.headers["location"]).query)
    assert "prompt" not in query and "max_age" not in query
    refused = provider_sign_in(client, "/auth/oidc/portal/login?link=true", "passer-by")
    assert refused.status_code == 403
    assert "You do not have a MyLife account yet" in page_text(refused)
    assert identities_of(session, person) == []
    assert identities.account_for(session, issuer=portal.issuer, subject="passer-by") is None
    assert audit_rows(session, person) == []
    assert "Hello, Aino Local" in page_text(client.get("/"))


def test_linking_needs_the_forms_csrf_token(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person = make_young_person(session)
    session.commit()
    token = sign_in(client, person)
    client.headers.pop("X-CSRF-Token")  # only what a form on another site could send
    forged: list[tuple[dict[str, str], dict[str, str]]] = [
        ({}, {}),
        ({"csrf_token": "forged"}, {}),
        ({"csrf_token": token}, {"Origin": "https://elsewhere.example"}),
        ({"csrf_token": token}, {"Sec-Fetch-Site": "cross-site"}),
    ]
    for data, headers in forged:
        refused = client.post(
            f"{METHODS}/link/portal", data=data, headers=headers, follow_redirects=False
        )
        assert refused.status_code == 403 and "location" not in refused.headers
        assert "The form expired" in page_text(refused)
    assert "mylife_oidc" not in client.cookies  # no flow was started
    assert identities_of(session, person) == []
    # Only a young person has this page, and only the young people's provider is offered.
    assert (
        client.post(
            f"{METHODS}/link/organisation",
            data={"csrf_token": csrf_from(client.get(METHODS).text)},
            follow_redirects=False,
        ).status_code
        == 404
    )


def test_a_link_asks_for_a_fresh_sign_in_then_links_and_is_audited(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person = make_young_person(session, display_name="Aino Local")
    session.commit()
    sign_in(client, person)
    page = client.get(METHODS)
    text = page_text(page)
    assert f"Your username {person.username} and your password" in text
    assert (
        "From now on you can sign in to MyLife as Aino Local with Omaolo. Whoever signs in at "
        "Omaolo with that account will be able to see and change your MyLife data. Make sure "
        "you sign in with your own Omaolo account." in text
    )
    assert f'href="{METHODS}"' in client.get("/").text

    browser = provider_session(client, "someone-else")
    try:
        # Someone is signed in at the provider in this browser: a plain sign-in goes
        # straight back without asking anything...
        plain = start_sign_in(client, "/auth/oidc/portal/login")
        straight = browser.get(plain.headers["location"])
        assert straight.status_code in (302, 303) and 'name="login"' not in straight.text
        # ...but linking asks for a sign-in at the provider all the same.
        to_provider = start_link(client)
        query = parse_qs(urlparse(to_provider.headers["location"]).query)
        assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
        callback = at_provider(browser, to_provider.headers["location"], "aino-portal")
    finally:
        browser.close()
    password_session = client.cookies.get("mylife_session")
    back = client.get(callback, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == METHODS

    [linked] = identities_of(session, person)
    assert (linked.issuer, linked.subject) == (portal.issuer, "aino-portal")
    [row] = audit_rows(session, person)
    assert (row.action, row.actor_id, row.subject_id) == ("identity.link", person.id, person.id)
    assert (row.object_id, row.outcome) == (linked.id, Outcome.ALLOWED)
    # The password session was replaced by the provider's (signing out ends both).
    assert client.cookies.get("mylife_session") != password_session
    rows = session.exec(select(AuthSession).where(AuthSession.account_id == person.id)).all()
    assert [r.provider for r in rows] == ["portal"]

    result = page_text(client.get(METHODS))
    assert "Linked. From now on you can sign in to MyLife as Aino Local with Omaolo." in result
    assert "the account you signed in with belongs to Person aino-portal" in result
    assert "Remove Omaolo" in result and "Link my own Omaolo account" not in result
    assert "Linked." not in page_text(client.get(METHODS))  # said once

    # From another device, the provider's sign-in now opens the same account.
    with TestClient(client.app, base_url=APP, headers={"Accept-Language": "en"}) as phone:
        assert provider_sign_in(phone, "/auth/oidc/portal/login", "aino-portal").status_code == 303
        assert "Hello, Aino Local" in page_text(phone.get("/"))


def test_a_link_answered_in_another_sign_in_session_links_nothing(
    client: TestClient, session: Session, portal: Provider
) -> None:
    first = make_young_person(session, display_name="First Person")
    second = make_young_person(session, display_name="Second Person")
    session.commit()
    with httpx.Client(verify=TLS) as browser:
        for switch_to in (second, first, None):
            sign_in(client, first)
            to_provider = start_link(client)
            # Between the start and the provider's answer, someone signs out, and the
            # other person (or the same one, in a new session) signs in on this browser.
            token = csrf_from(client.get("/").text)
            client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
            if switch_to is not None:
                sign_in(client, switch_to)
            callback = at_provider(browser, to_provider.headers["location"], "first-portal")
            refused = client.get(callback, follow_redirects=False)
            assert refused.status_code == 400, refused.text
            assert "Nothing was linked. Linking works only in the browser where you started it" in (
                page_text(refused)
            )
            assert identities_of(session, first) == [] and identities_of(session, second) == []
            if switch_to is not None:  # still signed in as whoever signed in last
                assert f"Hello, {switch_to.display_name}" in page_text(client.get("/"))
                client.post(
                    "/signout",
                    data={"csrf_token": csrf_from(client.get("/").text)},
                    follow_redirects=False,
                )
    refusals = audit_rows(session, first)
    assert [(r.action, r.outcome, r.object_id) for r in refusals] == [
        ("identity.link", Outcome.DENIED, None)
    ] * 3
    assert [r.actor_id for r in refusals] == [second.id, first.id, None]


def test_a_provider_sign_in_from_before_the_link_does_not_count(
    client: TestClient, session: Session, portal: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a provider not ask again (it ignores prompt=login), the ID token's auth_time
    shows the sign-in there was older than the link, and nothing is linked."""
    monkeypatch.setattr(identities, "FRESH_SIGN_IN_LEEWAY_SECONDS", 0)
    person = make_young_person(session)
    session.commit()
    browser = provider_session(client, "left-behind")
    try:
        time.sleep(1.2)  # auth_time is in whole seconds
        sign_in(client, person)
        to_provider = urlparse(start_link(client).headers["location"])
        query = {k: v[0] for k, v in parse_qs(to_provider.query).items()}
        del query["prompt"]
        query["max_age"] = "3600"  # the provider still tells when the sign-in was
        answer = browser.get(urlunparse(to_provider._replace(query=urlencode(query))))
        assert 'name="login"' not in answer.text
        callback = follow_until(browser, answer, APP).headers["location"].removeprefix(APP)
    finally:
        browser.close()
    refused = client.get(callback, follow_redirects=False)
    assert refused.status_code == 400
    assert "Omaolo did not confirm that you signed in there just now" in page_text(refused)
    assert identities_of(session, person) == []
    assert [r.outcome for r in audit_rows(session, person)] == [Outcome.DENIED]


def test_an_answer_naming_another_issuer_is_refused(
    client: TestClient, session: Session, portal: Provider, staff_provider: Provider
) -> None:
    assert portal.config()["authorization_response_iss_parameter_supported"] is True
    person = make_young_person(session)
    session.commit()
    sign_in(client, person)
    with httpx.Client(verify=TLS) as browser:
        callback = at_provider(browser, start_link(client).headers["location"], "iss-check")
    parts = urlparse(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["iss"] == portal.issuer  # the provider names itself (RFC 9207)

    def altered(**change: str | None) -> str:
        wanted = {k: v for k, v in {**query, **change}.items() if v is not None}
        return urlunparse(parts._replace(query=urlencode(wanted)))

    for tampered in (altered(iss=staff_provider.issuer), altered(iss=None)):
        refused = client.get(tampered, follow_redirects=False)
        assert refused.status_code == 502
        assert "gave an answer we cannot trust" in page_text(refused)
        assert identities_of(session, person) == []
    # The untouched answer is accepted.
    assert client.get(callback, follow_redirects=False).status_code == 303
    assert [i.subject for i in identities_of(session, person)] == ["iss-check"]


def test_removing_a_linked_sign_in_is_audited(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person = make_young_person(session)
    other = make_young_person(session)
    mine = identities.link(session, account=person, issuer=portal.issuer, subject="mine-1")
    theirs = identities.link(session, account=other, issuer=portal.issuer, subject="theirs-1")
    session.commit()
    sign_in(client, person)
    client.headers.pop("X-CSRF-Token")  # the forms carry the token themselves
    page = client.get(METHODS)
    assert f'action="{METHODS}/remove/{mine.id}"' in page.text
    assert "Remove Omaolo" in page_text(page)
    token = csrf_from(page.text)

    assert client.post(f"{METHODS}/remove/{mine.id}", data={}).status_code == 403
    gone = client.post(f"{METHODS}/remove/{theirs.id}", data={"csrf_token": token})
    assert gone.status_code == 404
    assert len(identities_of(session, other)) == 1
    [attempt] = audit_rows(session, other)  # someone else's: refused, and written down
    assert (attempt.action, attempt.actor_id, attempt.outcome) == (
        "identity.unlink",
        person.id,
        Outcome.DENIED,
    )

    removed = client.post(
        f"{METHODS}/remove/{mine.id}", data={"csrf_token": token}, follow_redirects=False
    )
    assert removed.status_code == 303 and removed.headers["location"] == METHODS
    assert identities_of(session, person) == []
    [row] = audit_rows(session, person)
    assert (row.action, row.actor_id, row.subject_id) == ("identity.unlink", person.id, person.id)
    assert (row.object_id, row.outcome) == (mine.id, Outcome.ALLOWED)
    after = page_text(client.get(METHODS))
    assert "Removed. You can no longer sign in to MyLife with Omaolo." in after
    assert "Link my own Omaolo account" in after


def test_the_last_way_to_sign_in_cannot_be_removed(
    client: TestClient, session: Session, portal: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    only = Account(display_name="Only Portal", role=Role.YOUNG_PERSON)
    session.add(only)
    session.flush()
    linked = identities.link(session, account=only, issuer=portal.issuer, subject="only-1")
    session.commit()
    assert provider_sign_in(client, "/auth/oidc/portal/login", "only-1").status_code == 303
    page = client.get(METHODS)
    assert "This is your only way to sign in, so it cannot be removed." in page_text(page)
    assert "/remove/" not in page.text
    refused = client.post(
        f"{METHODS}/remove/{linked.id}", data={"csrf_token": csrf_from(page.text)}
    )
    assert refused.status_code == 409
    assert "This is your only way to sign in to MyLife, so it cannot be removed." in page_text(
        refused
    )
    assert len(identities_of(session, only)) == 1 and audit_rows(session, only) == []

    # A password does not count where password sign-in is switched off.
    person = make_young_person(session)
    kept = identities.link(session, account=person, issuer=portal.issuer, subject="pw-1")
    session.commit()
    monkeypatch.setattr(get_settings(), "local_accounts_enabled", False)
    client.cookies.clear()
    assert provider_sign_in(client, "/auth/oidc/portal/login", "pw-1").status_code == 303
    token = csrf_from(client.get(METHODS).text)
    refused = client.post(f"{METHODS}/remove/{kept.id}", data={"csrf_token": token})
    assert refused.status_code == 409 and len(identities_of(session, person)) == 1
