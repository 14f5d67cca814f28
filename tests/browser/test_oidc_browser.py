"""Sign-in through a real OpenID Connect provider in Chromium: a young person through their
invitation, a case manager through the organisation's provider, and sign-out at both ends;
linking the provider to a password account, which a page on another site cannot start."""

import re
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.audit.models import AuditEvent, Outcome
from app.auth import identities
from app.auth.models import ExternalIdentity
from app.caseload import service as caseload
from tests.browser.conftest import axe_violations
from tests.factories import PASSWORD, make_case_manager, make_young_person
from tests.oidc.fixtures import provider_settings
from tests.oidc.provider import Provider, running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser_provider(live_server: str) -> Iterator[Provider]:
    """One provider process serving both roles, with the live server's addresses."""
    callbacks = [f"{live_server}/auth/oidc/{name}/callback" for name in ("portal", "organisation")]
    with running_provider(
        redirect_uris=callbacks, post_logout_uris=[f"{live_server}/signin"]
    ) as provider:
        yield provider


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, browser_provider: Provider) -> Provider:
    from app.core.config import get_settings

    monkeypatch.setattr(
        get_settings(),
        "oidc_providers",
        [
            provider_settings("portal", "Omaolo", "young_people", browser_provider),
            provider_settings("organisation", "Kuopio", "staff", browser_provider),
        ],
    )
    return browser_provider


def log_in_at_provider(page: Page, subject: str) -> None:
    page.locator("input[name=login]").fill(subject)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()


def test_a_young_person_joins_through_the_portal_and_signs_out(
    page: Page, live_server: str, engine: Engine, configured: Provider
) -> None:
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa Browser")
        token = caseload.invite(session, actor=manager)
        session.commit()
    subject = f"yp-{secrets.token_hex(3)}"
    page.goto(f"{live_server}/invitations/{token}")
    page.get_by_role("button", name="Sign in with Omaolo and accept").click()
    expect(page).to_have_url(re.compile(re.escape(configured.issuer)))
    log_in_at_provider(page, subject)
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator("h1")).to_contain_text(f"Person {subject}")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(configured.issuer)))
    page.locator("button[name=logout][value=yes]").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/signin")))
    expect(page.locator("h1")).to_have_text("Sign in")
    # Signed out at the provider too: the next sign-in asks who you are again.
    page.get_by_role("button", name="Sign in with Omaolo").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def test_staff_sign_in_and_the_refusal_page(
    page: Page, live_server: str, engine: Engine, configured: Provider
) -> None:
    page.goto(f"{live_server}/signin")
    expect(page.get_by_role("button", name="Staff: sign in with Kuopio")).to_be_visible()
    assert axe_violations(page) == []

    stranger = f"stranger-{secrets.token_hex(3)}"
    page.get_by_role("button", name="Staff: sign in with Kuopio").click()
    log_in_at_provider(page, stranger)
    refusal = "Your organisation account is not linked to MyLife"
    expect(page.get_by_role("alert")).to_contain_text(refusal)
    assert axe_violations(page) == []

    subject = f"cm-{secrets.token_hex(3)}"
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa Staff")
        identities.link(session, account=manager, issuer=configured.issuer, subject=subject)
        session.commit()
    page.context.clear_cookies()
    page.goto(f"{live_server}/signin")
    page.get_by_role("button", name="Staff: sign in with Kuopio").click()
    log_in_at_provider(page, subject)
    expect(page.locator("h1")).to_have_text("Caseload")
    expect(page.locator("footer")).to_contain_text("Signed in as Kaisa Staff")


@pytest.fixture
def other_site() -> Iterator[tuple[str, dict[str, str]]]:
    """Pages served from another site (`localhost`, not the app's `127.0.0.1`), own port."""
    pages: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_address[1]}", pages
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


def linked_to(engine: Engine, person_id: int) -> list[str]:
    with Session(engine) as session:
        found = select(ExternalIdentity).where(ExternalIdentity.account_id == person_id)
        return [identity.subject for identity in session.exec(found)]


def test_only_the_person_links_the_portal_and_another_site_cannot(
    page: Page,
    live_server: str,
    engine: Engine,
    configured: Provider,
    other_site: tuple[str, dict[str, str]],
) -> None:
    page.context.set_extra_http_headers({"Accept-Language": "en"})
    with Session(engine) as session:
        person = make_young_person(
            session, display_name="Vera Link", username=f"vera-{secrets.token_hex(3)}"
        )
        session.commit()
        person_id, username = person.id or 0, person.username or ""
    # On a shared computer, someone else signed in at the provider, and left it so.
    page.goto(f"{live_server}/signin")
    page.get_by_role("button", name="Sign in with Omaolo").click()
    log_in_at_provider(page, f"left-behind-{secrets.token_hex(3)}")
    expect(page.get_by_role("alert")).to_contain_text("You do not have a MyLife account yet")
    # Then the young person signs in with their password.
    page.goto(f"{live_server}/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click('form[action="/signin"] button[type=submit]')
    expect(page.locator("h1")).to_have_text("Hello, Vera Link")

    # A page on another site tries to start a link: an image and a hidden form...
    site, pages = other_site
    login = f"{live_server}/auth/oidc/portal/login"
    pages["/quiet.html"] = (
        f'<img src="{login}?link=true" alt=""><iframe name="sink" title="sink"></iframe>'
        f'<form id="post" method="post" action="{live_server}/account/sign-in-methods/link/portal"'
        ' target="sink"></form><script>document.getElementById("post").submit()</script>'
    )
    page.goto(f"{site}/quiet.html")
    page.wait_for_load_state("networkidle")
    # ...and forms that take the whole window there: a sign-in (by whoever is signed in at
    # the provider) can't be started from another site, by GET or by POST.
    pages["/go.html"] = (
        f'<form id="go" method="get" action="{login}"><input type="hidden" name="link" '
        'value="true"></form><script>document.getElementById("go").submit()</script>'
    )
    page.goto(f"{site}/go.html")
    expect(page.locator("main")).to_contain_text("That cannot be done here.")
    pages["/post.html"] = (
        f'<form id="go" method="post" action="{login}"></form>'
        '<script>document.getElementById("go").submit()</script>'
    )
    page.goto(f"{site}/post.html")
    expect(page.locator("main")).to_contain_text("The form expired. Please try again.")
    assert linked_to(engine, person_id) == []
    page.goto(f"{live_server}/")
    expect(page.locator("h1")).to_have_text("Hello, Vera Link")

    # The person links from their sign-in methods page, and the provider asks who they are.
    page.get_by_role("link", name="Ways to sign in").click()
    expect(page.locator("main")).to_contain_text(
        "From now on you can sign in to MyLife as Vera Link with Omaolo. Whoever signs in at "
        "Omaolo with that account will be able to see and change your MyLife data."
    )
    assert axe_violations(page) == []
    page.get_by_role("button", name="Link my own Omaolo account").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    subject = f"vera-{secrets.token_hex(3)}"
    log_in_at_provider(page, subject)
    expect(page).to_have_url(f"{live_server}/account/sign-in-methods")
    notice = page.locator(".notice[role=status]")
    expect(notice).to_contain_text(
        "Linked. From now on you can sign in to MyLife as Vera Link with Omaolo."
    )
    expect(notice).to_contain_text(f"belongs to Person {subject}")
    expect(page.get_by_role("button", name="Remove Omaolo")).to_be_visible()
    assert axe_violations(page) == []
    assert linked_to(engine, person_id) == [subject]
    with Session(engine) as session:
        trail = session.exec(select(AuditEvent).where(AuditEvent.subject_id == person_id)).all()
        [identity_id] = session.exec(
            select(ExternalIdentity.id).where(ExternalIdentity.account_id == person_id)
        ).all()
    assert [(e.action, e.actor_id, e.object_type, e.object_id, e.outcome) for e in trail] == [
        ("identity.link", person_id, "external_identity", identity_id, Outcome.ALLOWED)
    ]
