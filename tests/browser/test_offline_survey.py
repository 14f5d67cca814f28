"""Answering the whole survey offline, once it has been opened online: the service worker
keeps its screens, Next and Back move between them, the answers wait on the phone (shown
beside their questions) and reach the server once each, in order, when it is back online.
The service worker runs (`set_offline` takes the network from the page and the worker alike)."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.auth.models import Account, AuthSession
from app.survey import service
from app.survey.models import AnswerChange
from tests.browser.conftest import axe_violations, start_survey
from tests.factories import PASSWORD, make_young_person
from tests.survey.test_concurrency import save_and_commit

pytestmark = pytest.mark.browser
WAITING = "Waiting to send"
KEPT_SCREENS = """async () => {
  const name = (await caches.keys()).find((n) => n.startsWith("mylife-screens:"));
  return name ? (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname) : [];
}"""


@pytest.fixture(autouse=True)
def no_script_errors(page: Page) -> Iterator[None]:
    """No script on the pages fails meanwhile (a failure in app.js would go unseen)."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    assert errors == []


def eventually(page: Page, script: str, timeout_ms: int = 20000) -> None:
    """Wait until an async script in the page returns true (`wait_for_function` does not
    wait for a promise)."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


def open_offline_ready(page: Page, live_server: str, engine: Engine) -> tuple[int, int, str]:
    """A new person starts the survey online and waits until its ten screens are kept:
    their id, the assessment's, their username."""
    username = start_survey(page, live_server, engine)
    assessment_id = int(re.search(r"/assessments/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    screens = [f"/assessments/{assessment_id}/themes/{n}" for n in range(1, 11)]
    eventually(page, f"async () => (await ({KEPT_SCREENS})()).length === {len(screens)}")
    assert sorted(page.evaluate(KEPT_SCREENS)) == sorted(screens)
    with Session(engine) as session:
        person = session.exec(select(Account).where(Account.username == username)).one()
        return person.id or 0, assessment_id, username


def choose(page: Page, item: str, value: int) -> None:
    page.locator(f'input[name="{item}"][value="{value}"]').check()


def status(page: Page, item: str) -> Locator:
    return page.locator(f"#status-{item.replace('.', '-')}")


def server_answers(engine: Engine, assessment_id: int) -> dict[str, int | str | None]:
    with Session(engine) as session:
        answers = service.answers_for(session, [assessment_id])[assessment_id]
        return {item: answer.value for item, answer in answers.items()}


def sent_changes(engine: Engine, assessment_id: int) -> list[str]:
    with Session(engine) as session:
        rows = session.exec(
            select(AnswerChange)
            .where(AnswerChange.assessment_id == assessment_id)
            .order_by(col(AnswerChange.id))
        ).all()
        return [row.item_id for row in rows]


def end_sessions(engine: Engine, person: int) -> None:
    """The person's sessions end (signed out on another device, or expired)."""
    with Session(engine) as session:
        for row in session.exec(select(AuthSession).where(AuthSession.account_id == person)):
            session.delete(row)
        session.commit()


def test_three_screens_answered_offline_reach_the_server_once_each_in_order(
    page: Page, live_server: str, engine: Engine
) -> None:
    _person, assessment_id, _username = open_offline_ready(page, live_server, engine)
    page.context.set_offline(True)
    given = [
        ("studies_work.importance", 3),
        ("studies_work.satisfaction", 6),
        ("family.importance", 8),
        ("health.importance", 2),
        ("health.satisfaction", 9),
    ]
    choose(page, *given[0])
    choose(page, *given[1])
    expect(status(page, "studies_work.importance")).to_have_text(WAITING)
    expect(status(page, "studies_work.importance")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#connection")).to_contain_text("You are offline")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#progress-label")).to_have_text("Theme 2 of 10")
    expect(page.locator("h1")).to_be_focused()
    choose(page, *given[2])
    page.locator("textarea[name='family.future']").fill("Dinner together")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#progress-label")).to_have_text("Theme 3 of 10")
    choose(page, *given[3])
    choose(page, *given[4])
    expect(status(page, "health.satisfaction")).to_have_text(WAITING)

    # A reload offline: the same screen, its answers still waiting to be sent.
    page.reload()
    expect(page.locator("#progress-label")).to_have_text("Theme 3 of 10")
    expect(page.locator('input[name="health.satisfaction"][value="9"]')).to_be_checked()
    expect(status(page, "health.importance")).to_have_text(WAITING)
    # Back offline: the screen kept before it was answered shows the answers given since.
    page.get_by_role("button", name="Back").click()
    expect(page.locator("#progress-label")).to_have_text("Theme 2 of 10")
    expect(page.locator('input[name="family.importance"][value="8"]')).to_be_checked()
    expect(page.locator("textarea[name='family.future']")).to_have_value("Dinner together")
    assert server_answers(engine, assessment_id) == {}  # nothing reached the server offline

    page.context.set_offline(False)
    expect(status(page, "family.importance")).to_have_text("Saved", timeout=20000)
    expect(status(page, "family.future")).to_have_text("Saved")
    expected = [item for item, _value in given]
    expected.insert(3, "family.future")
    for _ in range(100):
        if len(sent_changes(engine, assessment_id)) >= len(expected):
            break
        page.wait_for_timeout(100)
    assert sent_changes(engine, assessment_id) == expected  # each once, in the order given
    assert server_answers(engine, assessment_id) == {
        **dict(given),
        "family.future": "Dinner together",
    }


def test_an_answer_changed_on_another_device_meanwhile_is_shown_beside_and_chosen(
    page: Page, live_server: str, engine: Engine
) -> None:
    person, assessment_id, _username = open_offline_ready(page, live_server, engine)
    choose(page, "studies_work.importance", 3)
    choose(page, "studies_work.satisfaction", 5)
    expect(status(page, "studies_work.satisfaction")).to_have_text("Saved")
    page.context.set_offline(True)
    choose(page, "studies_work.importance", 7)
    choose(page, "studies_work.satisfaction", 6)
    expect(status(page, "studies_work.satisfaction")).to_have_text(WAITING)
    # Meanwhile the person answers both on another device.
    save_and_commit(engine, person, assessment_id, "studies_work.importance", 4)
    save_and_commit(engine, person, assessment_id, "studies_work.satisfaction", 2)

    page.context.set_offline(False)
    importance = status(page, "studies_work.importance")
    expect(importance).to_contain_text("changed on another device", timeout=20000)
    expect(importance).to_contain_text("On this device: 7")
    expect(importance).to_contain_text("From the other device: 4")
    satisfaction = status(page, "studies_work.satisfaction")
    expect(satisfaction).to_contain_text("From the other device: 2")
    assert server_answers(engine, assessment_id) == {
        "studies_work.importance": 4,
        "studies_work.satisfaction": 2,
    }
    assert axe_violations(page) == []

    importance.get_by_role("button", name="Keep this device's answer").click()
    expect(importance).to_have_text("Saved")
    satisfaction.get_by_role("button", name="Keep the other device's answer").click()
    expect(page.locator('input[name="studies_work.satisfaction"][value="2"]')).to_be_checked()
    expect(satisfaction).to_have_text("Saved")
    assert server_answers(engine, assessment_id) == {
        "studies_work.importance": 7,
        "studies_work.satisfaction": 2,
    }
    page.reload()
    expect(page.locator('input[name="studies_work.importance"][value="7"]')).to_be_checked()
    expect(page.locator('input[name="studies_work.satisfaction"][value="2"]')).to_be_checked()
    expect(page.get_by_text("changed on another device")).to_have_count(0)


def answered_offline_and_signed_out(
    page: Page, live_server: str, engine: Engine
) -> tuple[int, str]:
    """A person answers offline; their session ends meanwhile (signed out on another device,
    or expired); back online, the page asks them to sign in again. The assessment's id, and
    their username."""
    person, assessment_id, username = open_offline_ready(page, live_server, engine)
    page.context.set_offline(True)
    choose(page, "studies_work.importance", 9)
    expect(status(page, "studies_work.importance")).to_have_text(WAITING)
    end_sessions(engine, person)
    page.context.set_offline(False)
    banner = page.locator("#connection")
    expect(banner).to_contain_text("Sign in again to send them.", timeout=20000)
    return assessment_id, username


def sign_in_from_the_banner(page: Page, username: str) -> None:
    page.locator("#connection").get_by_role("link").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_session_ended_meanwhile_keeps_the_answers_until_signed_in_again(
    page: Page, live_server: str, engine: Engine
) -> None:
    assessment_id, username = answered_offline_and_signed_out(page, live_server, engine)
    expect(status(page, "studies_work.importance")).to_have_text(WAITING)
    assert server_answers(engine, assessment_id) == {}
    sign_in_from_the_banner(page, username)
    expect(page.locator("#progress-label")).to_have_text("Theme 1 of 10")
    expect(status(page, "studies_work.importance")).to_have_text("Saved", timeout=20000)
    assert server_answers(engine, assessment_id) == {"studies_work.importance": 9}

    # Signing out leaves nothing of the person on the phone.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    eventually(
        page,
        """async () => !(await caches.keys()).some((n) => n.startsWith("mylife-screens:"))
          && !(await indexedDB.databases()).some((d) => d.name === "mylife")""",
    )


KEPT_ANSWERS = """async () => {
  if (!(await indexedDB.databases()).some((d) => d.name === "mylife")) return [];
  const opened = indexedDB.open("mylife");
  const db = await new Promise((resolve) => { opened.onsuccess = () => resolve(opened.result); });
  const reading = db.transaction("answers").objectStore("answers").getAll();
  const all = await new Promise((done) => { reading.onsuccess = () => done(reading.result); });
  db.close();
  return all.filter((record) => record.item).map((record) => record.item);
}"""


def test_another_account_signing_in_finds_nothing_of_the_first_on_the_phone(
    page: Page, live_server: str, engine: Engine
) -> None:
    assessment_id, _username = answered_offline_and_signed_out(page, live_server, engine)
    assert page.evaluate(KEPT_ANSWERS) == ["studies_work.importance"]
    with Session(engine) as session:
        other = make_young_person(session, locale="en").username or ""
        session.commit()
    sign_in_from_the_banner(page, other)
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # not theirs: not found
    eventually(page, f"async () => (await ({KEPT_ANSWERS})()).length === 0")
    eventually(
        page, """async () => !(await caches.keys()).some((n) => n.startsWith("mylife-screens:"))"""
    )
    assert server_answers(engine, assessment_id) == {}


def test_the_offline_page_follows_the_language_switched_to(
    page: Page, live_server: str, engine: Engine
) -> None:
    open_offline_ready(page, live_server, engine)
    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    eventually(
        page,
        """async () => Boolean(await caches.match("/offline?lang=sv"))
          && !(await caches.match("/offline?lang=en"))""",
    )
    eventually(
        page,
        """async () => {
          const names = (await caches.keys()).filter((n) => n.startsWith("mylife-screens:"));
          return names.length === 1 && names[0].endsWith(":sv")
            && (await (await caches.open(names[0])).keys()).length === 10;
        }""",
    )
    page.context.set_offline(True)
    page.get_by_role("button", name="Nästa").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")  # the screens kept in Swedish
    page.goto(f"{live_server}/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är offline")


def signed_in(engine: Engine, person: int) -> bool:
    with Session(engine) as session:
        return (
            session.exec(select(AuthSession).where(AuthSession.account_id == person)).first()
            is not None
        )


def test_signing_out_offline_keeps_the_waiting_answers_and_says_so(
    page: Page, live_server: str, engine: Engine
) -> None:
    person, assessment_id, _username = open_offline_ready(page, live_server, engine)
    page.context.set_offline(True)
    choose(page, "studies_work.importance", 4)
    expect(status(page, "studies_work.importance")).to_have_text(WAITING)
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#connection")).to_contain_text("signing out now would lose them")
    expect(page.locator("#progress-label")).to_have_text("Theme 1 of 10")  # still the screen
    assert page.evaluate(KEPT_ANSWERS) == ["studies_work.importance"]
    page.context.set_offline(False)
    expect(status(page, "studies_work.importance")).to_have_text("Saved", timeout=20000)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert server_answers(engine, assessment_id) == {"studies_work.importance": 4}
    assert not signed_in(engine, person)  # the session really ended


def test_a_comment_typed_just_before_signing_out_is_sent_first(
    page: Page, live_server: str, engine: Engine
) -> None:
    person, assessment_id, _username = open_offline_ready(page, live_server, engine)
    page.locator("textarea").first.fill("Typed just now")
    item = page.locator("textarea").first.get_attribute("name") or ""
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    assert server_answers(engine, assessment_id) == {item: "Typed just now"}
    assert not signed_in(engine, person)


def test_a_form_sent_offline_shows_the_offline_page_saying_nothing_was_sent(
    page: Page, live_server: str, engine: Engine
) -> None:
    open_offline_ready(page, live_server, engine)
    eventually(page, """async () => Boolean(await caches.match("/offline?lang=en"))""")
    page.context.set_offline(True)
    page.get_by_role("button", name="Svenska").click()  # the language form, offline
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_text("Nothing was sent")).to_be_visible()


def test_the_offline_page_kept_stays_when_the_new_one_cannot_be_fetched(
    page: Page, live_server: str, engine: Engine
) -> None:
    open_offline_ready(page, live_server, engine)
    eventually(page, """async () => Boolean(await caches.match("/offline?lang=en"))""")
    page.context.set_offline(True)
    # A page in Swedish (a kept screen) asks for the Swedish offline page, offline.
    page.evaluate(
        """async () => (await navigator.serviceWorker.ready).active.postMessage(
          {type: "hello", account: "", lang: "sv", assets: []})"""
    )
    page.wait_for_timeout(1500)
    assert page.evaluate("""async () => Boolean(await caches.match("/offline?lang=en"))""")
    page.goto(f"{live_server}/plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
