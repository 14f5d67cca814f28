"""Password guessing slows down per account, address and service; the owner is never
locked out where they have signed in before; counting holds under parallel requests.

Time is not waited for: `wait_is_over` moves every counter's "not before" into the
past, as if the wait had passed. Checks of a refusal come when the wait is at
least 8 seconds, so a slow machine cannot let the attempt through meanwhile.
"""

import math
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, update
from sqlmodel import Session, col, select

from app.auth import service as auth_service
from app.auth.devices import DEVICE_COOKIE
from app.auth.models import Account, Role, SignInCounter
from app.auth.throttle import ACCOUNT_FREE_ATTEMPTS, address_subject
from app.core import security
from app.core.config import get_settings
from app.core.types import utcnow
from app.main import app
from tests.factories import PASSWORD, make_young_person, sign_in, try_sign_in

Attempt = Callable[[], httpx.Response]


def browser(host: str) -> TestClient:
    """Another browser, at another client address, in English (no other cookies yet)."""
    return TestClient(app, client=(host, 40000), cookies={"mylife_lang": "en"})


def wait_is_over(session: Session) -> None:
    """As if every wait had passed: the next attempt may start now."""
    session.execute(update(SignInCounter).values(not_before=utcnow() - timedelta(seconds=1)))


def fail_until_waiting(session: Session, attempt: Attempt, *, free: int, seconds: int = 8) -> None:
    """Fail the free attempts, then once after each wait, until the next wait is `seconds`."""
    for _ in range(free):
        assert attempt().status_code == 401
    for _ in range(int(math.log2(seconds))):
        wait_is_over(session)
        assert attempt().status_code == 401


def waited(response: httpx.Response) -> int:
    """The wait a refusal names, after checking that its message and header agree."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    if seconds < 60:
        unit = "second" if seconds == 1 else "seconds"
        expected = f"Too many attempts. Wait {seconds} {unit} and try again."
    else:
        expected = f"Too many attempts. Wait {math.ceil(seconds / 60)} minutes and try again."
    assert expected in response.text
    return seconds


def guesses_at(username: str, browsers: list[TestClient]) -> Attempt:
    """Wrong passwords for one account, each from the next of many addresses."""
    sent = iter(range(10_000))
    return lambda: try_sign_in(browsers[next(sent) % len(browsers)], username, "wrong guess")


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Lower the address and service-wide limits for one test."""

    def lower(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setattr(get_settings(), f"sign_in_{name}_limit", value)

    return lower


def test_each_further_failure_doubles_the_wait_and_says_how_long(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    name = person.username or ""
    client.cookies.set("mylife_lang", "en")
    fail = lambda: try_sign_in(client, name, "wrong guess")  # noqa: E731
    fail_until_waiting(session, fail, free=ACCOUNT_FREE_ATTEMPTS, seconds=8)
    refused = try_sign_in(client, name, PASSWORD)  # even the right password waits
    assert 6 < waited(refused) <= 8
    assert f'value="{name}"' in refused.text  # the form keeps the username
    wait_is_over(session)
    assert fail().status_code == 401
    assert 14 < waited(fail()) <= 16
    for _ in range(5):  # 32, 64, 128, 256 seconds, then the ceiling
        wait_is_over(session)
        assert fail().status_code == 401
    assert 290 < waited(fail()) <= 300  # "Wait 5 minutes"
    client.cookies.set("mylife_lang", "fi")
    assert "Odota 5 minuuttia" in try_sign_in(client, name, PASSWORD).text
    # Refusals were not counted: the wait is still the ceiling, not longer.
    row = session.exec(select(SignInCounter).where(SignInCounter.kind == "account")).one()
    assert row.attempts == ACCOUNT_FREE_ATTEMPTS + 3 + 1 + 5


def test_the_owner_signs_in_where_they_have_before_while_others_flood_the_account(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    name = person.username or ""
    sign_in(client, person)
    client.cookies.delete("mylife_session")
    guess = guesses_at(name, [browser(f"198.51.100.{n}") for n in range(1, 21)])
    fail_until_waiting(session, guess, free=ACCOUNT_FREE_ATTEMPTS, seconds=8)
    statuses = {guess().status_code for _ in range(20)}
    assert statuses == {429}
    assert try_sign_in(browser("192.0.2.44"), name, PASSWORD).status_code == 429  # a new browser
    owner = try_sign_in(client, name, PASSWORD)
    assert owner.status_code == 303 and owner.headers["location"] == "/"


def test_a_known_device_has_a_count_of_its_own(client: TestClient, session: Session) -> None:
    person = make_young_person(session)
    name = person.username or ""
    phone = browser("192.0.2.10")
    sign_in(phone, person)
    sign_in(client, person)
    client.cookies.delete("mylife_session")
    client.cookies.set("mylife_lang", "en")
    # Someone at the person's computer guesses: it slows down that computer ...
    mine = lambda: try_sign_in(client, name, "wrong guess")  # noqa: E731
    fail_until_waiting(session, mine, free=ACCOUNT_FREE_ATTEMPTS, seconds=8)
    assert 6 < waited(try_sign_in(client, name, PASSWORD)) <= 8
    # ... and neither the phone nor a new browser: the account's own count is untouched.
    phone.cookies.delete("mylife_session")
    assert try_sign_in(phone, name, PASSWORD).status_code == 303
    assert try_sign_in(browser("192.0.2.11"), name, PASSWORD).status_code == 303


def test_the_known_device_cookie_does_not_name_the_person(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session, username="ronja-tester")
    signed_in = try_sign_in(client, "ronja-tester", PASSWORD)
    cookie = next(
        c for c in signed_in.headers.get_list("set-cookie") if c.startswith(f"{DEVICE_COOKIE}=")
    )
    assert "HttpOnly" in cookie and "Path=/signin" in cookie and "Max-Age=" in cookie
    assert "ronja" not in cookie.lower()
    assert person.id is not None
    # Forged or tampered, it vouches for nobody.
    value = client.cookies.get(DEVICE_COOKIE, path="/signin") or ""
    assert len(value) > 40
    client.cookies.clear()
    client.cookies.set(DEVICE_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    fail_until_waiting(
        session,
        guesses_at("ronja-tester", [browser("198.51.100.77")]),
        free=ACCOUNT_FREE_ATTEMPTS,
        seconds=8,
    )
    assert try_sign_in(client, "ronja-tester", PASSWORD).status_code == 429


def test_one_address_over_its_limit_does_not_slow_another(
    client: TestClient, session: Session, limits: Callable[..., None]
) -> None:
    limits(address=3)
    school = "2001:db8:5:7::1"
    # A class signs in from one address; successes do not count against it.
    for _ in range(4):
        pupil = make_young_person(session).username or ""
        assert try_sign_in(browser(school), pupil, PASSWORD).status_code == 303
    names = iter(f"pupil-{n}" for n in range(100))
    # Typos under different names, from all over the school's IPv6 network.
    hosts = iter(f"2001:db8:5:7::{n:x}" for n in range(2, 100))
    typo = lambda: try_sign_in(browser(next(hosts)), next(names), "wrong guess")  # noqa: E731
    fail_until_waiting(session, typo, free=3, seconds=8)
    assert 6 < waited(try_sign_in(browser(school), next(names), "wrong guess")) <= 8
    # The next network, and an IPv4 address, are not slowed down.
    assert try_sign_in(browser("2001:db8:5:8::1"), next(names), "wrong").status_code == 401
    assert try_sign_in(browser("192.0.2.1"), next(names), "wrong").status_code == 401
    assert address_subject("::ffff:192.0.2.1") == "192.0.2.1"


def test_the_service_wide_ceiling_slows_everyone_but_known_devices(
    client: TestClient, session: Session, limits: Callable[..., None]
) -> None:
    limits(total=3)
    person = make_young_person(session)
    sign_in(client, person)
    client.cookies.delete("mylife_session")
    hosts = iter(f"203.0.113.{n}" for n in range(1, 200))
    names = iter(f"sprayed-{n}" for n in range(200))
    spray = lambda: try_sign_in(browser(next(hosts)), next(names), "wrong guess")  # noqa: E731
    fail_until_waiting(session, spray, free=3, seconds=8)
    assert 6 < waited(spray()) <= 8
    other = make_young_person(session)
    assert try_sign_in(browser(next(hosts)), other.username or "", PASSWORD).status_code == 429
    assert try_sign_in(client, person.username or "", PASSWORD).status_code == 303


def test_unknown_inactive_and_known_usernames_get_the_same_answer(
    client: TestClient, session: Session
) -> None:
    known = make_young_person(session, username="known-one")
    inactive = make_young_person(session, username="gone-one")
    inactive.is_active = False
    session.add(inactive)
    session.flush()
    client.cookies.set("mylife_lang", "en")
    pages = {}
    for name in ("known-one", "gone-one", "nobody-one"):
        answer = try_sign_in(client, name, "wrong guess")
        assert answer.status_code == 401
        assert DEVICE_COOKIE not in answer.headers.get("set-cookie", "")
        pages[name] = answer.text.replace(name, "NAME")
    assert pages["known-one"] == pages["gone-one"] == pages["nobody-one"]
    # Slowed down alike, too (even with the right password for the real account).
    refusals = {}
    for name, password in (("known-one", PASSWORD), ("nobody-one", "any password")):
        guess = guesses_at(name, [browser(f"198.51.100.{n}") for n in range(30, 40)])
        # (one failure each above)
        fail_until_waiting(session, guess, free=ACCOUNT_FREE_ATTEMPTS - 1, seconds=8)
        refused = try_sign_in(client, name, password)
        seconds = waited(refused)
        refusals[name] = refused.text.replace(name, "NAME").replace(f"Wait {seconds} ", "Wait N ")
    assert refusals["known-one"] == refusals["nobody-one"]
    assert known.is_active


@pytest.fixture
def argon2_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int, int], None]]:
    """Hash at another cost inside one test (the hasher and dummy hash are cached)."""

    def set_cost(time_cost: int, memory_kib: int) -> None:
        monkeypatch.setattr(get_settings(), "password_time_cost", time_cost)
        monkeypatch.setattr(get_settings(), "password_memory_kib", memory_kib)
        security._hasher.cache_clear()
        security._dummy_hash.cache_clear()

    yield set_cost
    monkeypatch.undo()
    security._hasher.cache_clear()
    security._dummy_hash.cache_clear()


def test_an_unknown_username_takes_as_long_as_a_wrong_password(
    client: TestClient, session: Session, argon2_cost: Callable[[int, int], None]
) -> None:
    argon2_cost(3, 65536)  # production's cost: a hash takes long enough to be seen
    person = make_young_person(session)

    def fastest(name: str) -> float:
        times = []
        for n in range(3):
            start = time.perf_counter()
            answer = try_sign_in(browser(f"192.0.2.{n + 50}"), name, "wrong guess")
            times.append(time.perf_counter() - start)
            assert answer.status_code == 401
        return min(times)

    known, unknown = fastest(person.username or ""), fastest("nobody-at-all")
    assert unknown > known / 2 and known > unknown / 2, (known, unknown)
