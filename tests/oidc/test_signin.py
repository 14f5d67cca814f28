"""Sign-in through OpenID Connect, against real provider processes, over HTTP."""

import re
from html import unescape
from urllib.parse import parse_qs, parse_qsl, urlencode, urlparse

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth import identities
from app.auth.models import Account, AuthSession, CaseAssignment, ExternalIdentity, Role
from app.caseload import service as caseload
from app.caseload.models import Invitation
from app.core.config import get_settings
from app.core.security import token_digest
from tests.factories import PASSWORD, csrf_from, make_case_manager, make_young_person, sign_in
from tests.oidc.fixtures import APP
from tests.oidc.provider import TLS, Provider, follow_until, log_in


@pytest.fixture(autouse=True)
def in_english(client: TestClient) -> None:
    client.headers["Accept-Language"] = "en"


def start_sign_in(client: TestClient, start: str) -> httpx2.Response:
    """Press a sign-in button: POST the login address's fields with the page's token."""
    path, _sep, query = start.partition("?")
    fields = {**dict(parse_qsl(query)), "csrf_token": csrf_from(client.get("/offline").text)}
    return client.post(path, data=fields, follow_redirects=False)


def provider_sign_in(
    client: TestClient, start: str, subject: str, browser: httpx.Client | None = None
) -> httpx2.Response:
    """Start at MyLife, sign in at the provider as `subject`, come back to the callback."""
    to_provider = start_sign_in(client, start)
    assert to_provider.status_code == 302, to_provider.text
    location = to_provider.headers["location"]
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid profile"]
    own = browser is None
    browser = browser or httpx.Client(verify=TLS)
    try:
        page = browser.get(location, follow_redirects=True)
        answer = log_in(browser, page, subject) if "<form" in page.text else page
        answer = follow_until(browser, answer, APP)
    finally:
        if own:
            browser.close()
    callback = answer.headers["location"].removeprefix(APP)
    return client.get(callback, follow_redirects=False)


def page_text(response: httpx2.Response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def test_a_young_persons_first_sign_in_through_an_invitation_links_the_identity(
    client: TestClient, session: Session, portal: Provider
) -> None:
    manager = make_case_manager(session, display_name="Kaisa Case")
    token = caseload.invite(session, actor=manager)
    session.commit()

    invitation = client.get(f"/invitations/{token}")
    assert "Sign in with Omaolo and accept" in page_text(invitation)
    form = re.search(
        r'action="(/auth/oidc/portal/login)">\s*<input[^>]*csrf_token[^>]*>\s*'
        r'<input type="hidden" name="invitation" value="([^"]+)">',
        invitation.text,
    )
    assert form, invitation.text
    start = f"{form.group(1)}?invitation={unescape(form.group(2))}"
    back = provider_sign_in(client, start, "hetu-010203")
    assert back.status_code == 303 and back.headers["location"] == "/"
    assert "Person hetu-010203" in client.get("/").text

    identity = session.exec(
        select(ExternalIdentity).where(ExternalIdentity.subject == "hetu-010203")
    ).one()
    assert identity.issuer == portal.issuer
    person = session.get(Account, identity.account_id)
    assert person is not None and person.role == Role.YOUNG_PERSON
    assert person.display_name == "Person hetu-010203" and person.password_hash is None
    assert str(person.birth_date) == "2007-05-04"
    assigned = session.exec(
        select(CaseAssignment).where(CaseAssignment.young_person_id == person.id)
    ).one()
    assert assigned.case_manager_id == manager.id
    used = session.exec(select(Invitation).where(Invitation.used_by_id == person.id)).one()
    assert used.used_at is not None
    row = session.exec(select(AuthSession).where(AuthSession.account_id == person.id)).one()
    assert row.provider == "portal" and row.id_token and row.id_token.count(".") == 2

    # Later sign-ins find the same account; no second one is made.
    with TestClient(client.app, base_url=APP, headers={"Accept-Language": "en"}) as other_device:
        again = provider_sign_in(other_device, "/auth/oidc/portal/login?next=/me", "hetu-010203")
        assert again.status_code == 303 and again.headers["location"] == "/me"
    assert (
        len(session.exec(select(Account).where(Account.display_name == person.display_name)).all())
        == 1
    )


def test_an_unknown_young_person_without_an_invitation_is_told_what_to_do(
    client: TestClient, portal: Provider
) -> None:
    refused = provider_sign_in(client, "/auth/oidc/portal/login", "stranger-1")
    assert refused.status_code == 403
    assert "You do not have a MyLife account yet" in page_text(refused)
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/signin")


def test_staff_sign_in_needs_a_linked_identity(
    client: TestClient, session: Session, portal: Provider, staff_provider: Provider
) -> None:
    refused = provider_sign_in(client, "/auth/oidc/organisation/login", "kaisa@kuopio")
    assert refused.status_code == 403
    assert "Your organisation account is not linked to MyLife" in page_text(refused)

    manager = make_case_manager(session, display_name="Kaisa Case")
    identities.link(session, account=manager, issuer=staff_provider.issuer, subject="kaisa@kuopio")
    session.commit()
    back = provider_sign_in(client, "/auth/oidc/organisation/login", "kaisa@kuopio")
    assert back.status_code == 303
    assert "Kaisa Case" in client.get("/").text

    # A young person's identity at the staff provider is no way in either.
    person = make_young_person(session)
    identities.link(session, account=person, issuer=staff_provider.issuer, subject="pupil-9")
    session.commit()
    with TestClient(client.app, base_url=APP, headers={"Accept-Language": "en"}) as other:
        assert (
            provider_sign_in(other, "/auth/oidc/organisation/login", "pupil-9").status_code == 403
        )


def test_an_identity_links_once(session: Session, portal: Provider) -> None:
    first, second = make_young_person(session), make_young_person(session)
    identities.link(session, account=first, issuer=portal.issuer, subject="s-1")
    with pytest.raises(identities.IdentityTaken):
        identities.link(session, account=second, issuer=portal.issuer, subject="s-1")
    with pytest.raises(identities.IdentityTaken):
        identities.link(session, account=first, issuer=portal.issuer, subject="s-2")
    linked = session.exec(select(ExternalIdentity).where(ExternalIdentity.issuer == portal.issuer))
    assert [(i.account_id, i.subject) for i in linked] == [(first.id, "s-1")]


def test_sign_out_ends_the_session_here_and_at_the_provider(
    client: TestClient, session: Session, portal: Provider
) -> None:
    person = make_young_person(session)
    identities.link(session, account=person, issuer=portal.issuer, subject="leaving-1")
    session.commit()
    with httpx.Client(verify=TLS) as browser:
        assert (
            provider_sign_in(client, "/auth/oidc/portal/login", "leaving-1", browser).status_code
            == 303
        )
        cookie = client.cookies.get("mylife_session")
        token = csrf_from(client.get("/").text)
        out = client.post("/signout", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303
        location = urlparse(out.headers["location"])
        assert f"{location.scheme}://{location.netloc}" == portal.issuer
        query = parse_qs(location.query)
        assert query["post_logout_redirect_uri"] == [f"{APP}/signin"]
        assert query["id_token_hint"][0].count(".") == 2
        assert client.get("/", follow_redirects=False).headers["location"].startswith("/signin")
        mine = select(AuthSession).where(AuthSession.account_id == person.id)
        assert cookie is not None and session.exec(mine).all() == []

        # At the provider: confirm, and come back to MyLife's sign-in page.
        confirm = browser.get(out.headers["location"])
        form = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
        assert form and xsrf, confirm.text
        done = browser.post(form.group(1), data={"xsrf": xsrf.group(1), "logout": "yes"})
        assert done.headers["location"].startswith(f"{APP}/signin")
        # The provider's session is gone too: signing in asks for the login again.
        again = start_sign_in(client, "/auth/oidc/portal/login")
        page = browser.get(again.headers["location"], follow_redirects=True)
        assert 'name="login"' in page.text


def test_a_forged_or_replayed_callback_is_refused(client: TestClient, portal: Provider) -> None:
    issuer = urlencode({"iss": portal.issuer})
    wrong_state = client.get(f"/auth/oidc/portal/callback?code=abc&state=forged&{issuer}")
    assert wrong_state.status_code == 400
    assert "took too long or was started in another browser window" in page_text(wrong_state)
    cancelled = client.get("/auth/oidc/portal/callback?error=access_denied&state=x")
    assert cancelled.status_code == 400 and "cancelled or refused" in page_text(cancelled)
    assert start_sign_in(client, "/auth/oidc/nobody/login").status_code == 404
    # A sign-in is started by the sign-in page's form, not by a link another site can use.
    assert client.get("/auth/oidc/portal/login").status_code == 405
    forged = client.post("/auth/oidc/portal/login", headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403


def test_the_code_is_good_once(client: TestClient, session: Session, portal: Provider) -> None:
    person = make_young_person(session)
    identities.link(session, account=person, issuer=portal.issuer, subject="once-1")
    session.commit()
    to_provider = start_sign_in(client, "/auth/oidc/portal/login")
    with httpx.Client(verify=TLS) as browser:
        page = browser.get(to_provider.headers["location"], follow_redirects=True)
        answer = follow_until(browser, log_in(browser, page, "once-1"), APP)
    callback = answer.headers["location"].removeprefix(APP)
    assert client.get(callback, follow_redirects=False).status_code == 303
    replay = client.get(callback, follow_redirects=False)
    assert replay.status_code == 400


def test_password_sign_in_can_be_switched_off(
    client: TestClient, session: Session, portal: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "local_accounts_enabled", False)
    person = make_young_person(session)
    manager = make_case_manager(session)
    token = caseload.invite(session, actor=manager)
    session.commit()
    page = client.get("/signin")
    assert 'name="password"' not in page.text
    assert "Sign in with Omaolo" in page_text(page) and "Staff: sign in with Kuopio" in page_text(
        page
    )
    refused = client.post(
        "/signin",
        data={
            "username": person.username,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert refused.status_code == 404 and "mylife_session" not in client.cookies
    invitation = client.get(f"/invitations/{token}")
    assert 'name="password"' not in invitation.text and "Sign in with Omaolo" in page_text(
        invitation
    )
    sign_up = client.post(
        f"/invitations/{token}",
        data={
            "csrf_token": csrf_from(invitation.text),
            "display_name": "A",
            "username": "someone",
            "birth_date": "1.1.2005",
            "password": PASSWORD,
        },
    )
    assert sign_up.status_code == 404
    assert session.exec(select(Account).where(Account.username == "someone")).first() is None
    assert (
        session.exec(select(Invitation).where(Invitation.token_digest == token_digest(token)))
        .one()
        .used_at
        is None
    )


def test_a_flow_planted_from_another_port_signs_nobody_in(
    client: TestClient, session: Session, portal: Provider
) -> None:
    """Cookies ignore ports: a page on another port of the same host can hand a victim's
    browser the attacker's own flow cookie and send it to the attacker's callback. The flow
    finishes only in the browser that started it."""
    attacker, victim = make_young_person(session), make_case_manager(session)
    identities.link(session, account=attacker, issuer=portal.issuer, subject="planter-1")
    session.commit()
    with TestClient(client.app, base_url=APP) as planter:
        to_provider = start_sign_in(planter, "/auth/oidc/portal/login")
        with httpx.Client(verify=TLS) as browser:
            page = browser.get(to_provider.headers["location"], follow_redirects=True)
            answer = follow_until(browser, log_in(browser, page, "planter-1"), APP)
        flow_cookie = planter.cookies.get("mylife_oidc")
    callback = answer.headers["location"].removeprefix(APP)
    sign_in(client, victim)
    client.cookies.set("mylife_oidc", flow_cookie or "", path="/")
    refused = client.get(callback, follow_redirects=False)
    assert refused.status_code == 400
    assert "started in another browser window" in page_text(refused)
    assert client.get("/api/v1/session").json()["account_id"] == victim.id
