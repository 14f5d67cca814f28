"""The survey pages as a browser without JavaScript sees them, plus htmx autosave."""

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.models import Account
from app.survey import service
from tests.factories import make_young_person, sign_in


def start(
    client: TestClient, session: Session, person: Account | None = None
) -> tuple[str, str, int]:
    """Sign in a (new) young person and open the first theme; returns csrf, screen url, id."""
    token = sign_in(client, person or make_young_person(session, locale="en"))
    client.cookies.set("mylife_lang", "en")
    page = client.get("/survey")
    assert "Start" in page.text
    screen = client.post("/survey/start", data={"csrf_token": token})
    assert screen.status_code == 200
    match = re.search(r"/assessments/(\d+)/themes/1$", str(screen.url))
    assert match, screen.url
    return token, str(screen.url), int(match.group(1))


def test_one_theme_per_screen_with_progress_and_real_radios(
    client: TestClient, session: Session
) -> None:
    _token, _url, _id = start(client, session)
    page = client.get("/survey").text
    assert "Theme 1 of 10" in page
    assert '<progress max="10" value="1"' in page
    assert '<h1 tabindex="-1">Studies and work</h1>' in page
    assert page.count('type="radio" name="studies_work.importance"') == 11
    assert page.count('type="radio" name="studies_work.satisfaction"') == 11
    assert 'name="studies_work.future"' in page
    assert "health.importance" not in page


def test_next_saves_the_screen_and_back_returns(client: TestClient, session: Session) -> None:
    token, url, assessment_id = start(client, session)
    form = {
        "csrf_token": token,
        "studies_work.importance": "9",
        "studies_work.satisfaction": "4",
        "studies_work.future": "Finish school",
        "nav": "next",
    }
    second = client.post(url, data=form)
    assert second.url.path.endswith("/themes/2") and "Theme 2 of 10" in second.text
    back = client.post(
        f"/assessments/{assessment_id}/themes/2", data={"csrf_token": token, "nav": "back"}
    )
    assert back.url.path.endswith("/themes/1")
    assert 'value="9" checked' in back.text and 'value="4" checked' in back.text
    assert "Finish school</textarea>" in back.text


def test_bad_screen_input_shows_message_and_keeps_everything(
    client: TestClient, session: Session
) -> None:
    token, url, assessment_id = start(client, session)
    form = {
        "csrf_token": token,
        "studies_work.importance": "15",
        "studies_work.satisfaction": "6",
        "studies_work.future": "My words stay",
        "nav": "next",
    }
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "Choose a number from 0 to 10." in response.text
    assert "My words stay</textarea>" in response.text
    assert 'value="6" checked' in response.text
    assert re.search(r'id="q-studies_work-importance"', response.text)
    answers = client.get(f"/api/v1/assessments/{assessment_id}").json()["answers"]
    assert answers == {"studies_work.satisfaction": 6, "studies_work.future": "My words stay"}


def test_autosave_replies_with_a_status_line(client: TestClient, session: Session) -> None:
    token, _url, assessment_id = start(client, session)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    saved = client.post(
        f"/assessments/{assessment_id}/answer", data={"family.importance": "7"}, headers=headers
    )
    assert saved.status_code == 200 and "Saved" in saved.text
    wrong = client.post(
        f"/assessments/{assessment_id}/answer", data={"family.importance": "70"}, headers=headers
    )
    assert wrong.status_code == 422 and "Choose a number from 0 to 10." in wrong.text
    long = client.post(
        f"/assessments/{assessment_id}/answer", data={"family.future": "y" * 2100}, headers=headers
    )
    assert long.status_code == 422 and "2000 characters or fewer (now 2100)" in long.text
    assert client.get(f"/api/v1/assessments/{assessment_id}").json()["answers"] == {
        "family.importance": 7
    }


def test_resume_exactly_where_one_left_off_from_another_device(
    client: TestClient, session: Session
) -> None:
    person = make_young_person(session)
    token = sign_in(client, person)
    client.post("/survey/start", data={"csrf_token": token})
    assessment, _ = service.start_or_resume(session, actor=person)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        f"/assessments/{assessment.id}/answer", data={"housing.satisfaction": "5"}, headers=headers
    )
    client.cookies.clear()  # a new device: nothing in the browser
    sign_in(client, person)
    resumed = client.get("/survey")
    assert resumed.url.path == f"/assessments/{assessment.id}/themes/6"
    assert 'name="housing.satisfaction" value="5" checked' in resumed.text


def test_review_lists_unanswered_and_submit_shows_the_circle(
    client: TestClient, session: Session
) -> None:
    token, _url, assessment_id = start(client, session)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        f"/assessments/{assessment_id}/answer", data={"health.importance": "9"}, headers=headers
    )
    client.post(
        f"/assessments/{assessment_id}/answer", data={"health.satisfaction": "3"}, headers=headers
    )
    review = client.get(f"/assessments/{assessment_id}/review")
    assert "You have answered 2 of 20 questions." in review.text
    assert review.text.count('<li><a href="/assessments/') == 18  # the comments are optional
    assert "Health: How important" not in review.text
    result = client.post(f"/assessments/{assessment_id}/submit", data={"csrf_token": token})
    assert result.url.path == f"/assessments/{assessment_id}"
    html = result.text
    assert html.count('class="sector"') == 10
    assert '<table class="readings">' in html and html.count('<th scope="row">') == 10
    assert 'role="group" aria-labelledby="circle-title" aria-describedby="circle-desc"' in html
    assert "Important, but you are not as happy with it" in html  # health: 9 vs 3
    # Read-only from now on: the screens lead back to the result.
    screen = client.get(f"/assessments/{assessment_id}/themes/3")
    assert screen.url.path == f"/assessments/{assessment_id}"
    refused = client.post(
        f"/assessments/{assessment_id}/answer", data={"health.importance": "1"}, headers=headers
    )
    assert refused.status_code == 409 and "can no longer be changed" in refused.text


def test_history_shows_every_reading_and_the_change(client: TestClient, session: Session) -> None:
    token, _url, first_id = start(client, session)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        f"/assessments/{first_id}/answer", data={"friends.satisfaction": "4"}, headers=headers
    )
    client.post(f"/assessments/{first_id}/submit", data={"csrf_token": token})
    client.post("/survey/start", data={"csrf_token": token})
    second_id = client.get("/api/v1/assessments").json()[0]["id"]
    client.post(
        f"/assessments/{second_id}/answer", data={"friends.satisfaction": "7"}, headers=headers
    )
    client.post(f"/assessments/{second_id}/submit", data={"csrf_token": token})
    page = client.get("/assessments").text
    assert page.count("Completed on") == 2
    assert re.search(
        r"Friends</th>\s*<td>4</td>\s*<td>7 <span class=\"change\">\(\+3\)</span></td>", page
    )


def test_forms_without_csrf_token_are_refused(client: TestClient, session: Session) -> None:
    _token, url, assessment_id = start(client, session)
    client.headers.pop("X-CSRF-Token")  # a form alone, as a browser without script sends it
    refused = client.post(url, data={"studies_work.importance": "3", "nav": "next"})
    assert refused.status_code == 403
    forged = client.post(url, data={"csrf_token": "0" * 64, "studies_work.importance": "3"})
    assert forged.status_code == 403
    assert client.get(f"/api/v1/assessments/{assessment_id}").json()["answers"] == {}


def test_someone_elses_pages_are_not_found(client: TestClient, session: Session) -> None:
    _token, _url, assessment_id = start(client, session)
    client.cookies.clear()
    token = sign_in(client, make_young_person(session))
    for path in (
        f"/assessments/{assessment_id}",
        f"/assessments/{assessment_id}/themes/1",
        f"/assessments/{assessment_id}/review",
        f"/assessments/{assessment_id}/circle.svg",
    ):
        assert client.get(path).status_code == 404
    posted = client.post(
        f"/assessments/{assessment_id}/themes/1",
        data={"csrf_token": token, "studies_work.importance": "1"},
    )
    assert posted.status_code == 404
    assert client.get("/assessments/not-a-number").status_code == 404


def test_signed_out_pages_send_to_sign_in_and_back(client: TestClient, session: Session) -> None:
    response = client.get("/assessments", follow_redirects=False)
    assert (
        response.status_code == 303 and response.headers["location"] == "/signin?next=/assessments"
    )


def test_a_screen_sent_after_submitting_elsewhere_keeps_the_words(
    client: TestClient, session: Session
) -> None:
    token, url, assessment_id = start(client, session)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        f"/assessments/{assessment_id}/answer",
        data={"studies_work.importance": "5"},
        headers=headers,
    )
    client.post(
        f"/assessments/{assessment_id}/submit", data={"csrf_token": token}
    )  # another device
    form = {
        "csrf_token": token,
        "studies_work.importance": "5",
        "studies_work.future": "Late words",
        "nav": "next",
    }
    response = client.post(url, data=form)
    assert response.status_code == 409
    assert "Late words</textarea>" in response.text
    assert "This assessment is completed and can no longer be changed." in response.text
    assert f'href="/assessments/{assessment_id}"' in response.text
    # The unchanged answer is not an error; only the new text is refused.
    assert response.text.count("can no longer be changed") == 1
    assert client.get(f"/api/v1/assessments/{assessment_id}").json()["answers"] == {
        "studies_work.importance": 5
    }


def test_very_low_coping_shows_where_to_get_help(client: TestClient, session: Session) -> None:
    token, _url, assessment_id = start(client, session)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        f"/assessments/{assessment_id}/answer",
        data={"resilience.satisfaction": "3"},
        headers=headers,
    )
    client.post(f"/assessments/{assessment_id}/submit", data={"csrf_token": token})
    assert "Help is there right now" not in client.get(f"/assessments/{assessment_id}").text
    client.post("/survey/start", data={"csrf_token": token})
    second = client.get("/api/v1/assessments").json()[0]["id"]
    client.post(
        f"/assessments/{second}/answer", data={"resilience.satisfaction": "2"}, headers=headers
    )
    client.post(f"/assessments/{second}/submit", data={"csrf_token": token})
    page = client.get(f"/assessments/{second}").text
    assert '<h2 id="help-title">Help is there right now</h2>' in page and "call 112" in page
