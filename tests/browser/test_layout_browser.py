"""At 200 % text on a 390 x 844 phone nothing overflows sideways, no word shorter than a
line is broken between its letters, and every field is a touch target (WCAG 1.4.4, 1.4.10,
2.5.8): the main pages of a young person and a case manager."""

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine
from sqlmodel import Session

from app.audit.actions import AuditAction
from app.plan import agreement
from app.plan import service as plans
from app.plan.models import ActionOwner
from app.survey import service as survey
from tests.factories import PASSWORD, assign, make_case_manager, make_young_person

pytestmark = pytest.mark.browser
LONG = "Hakemukset kesätyöpaikkoihin ja työvoimatoimiston ajanvaraus sekä terveystarkastus"
FIELDS = "input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea"
MEASURE = f"""() => {{
  document.documentElement.style.fontSize = '200%';
  document.querySelectorAll('details').forEach(d => {{ d.open = true; }});
  const fields = [...document.querySelectorAll('{FIELDS}')].filter(f => f.offsetParent !== null);
  // A word that fits the line of the block it flows in is never broken: no cell, column or
  // flex item squeezes it narrower (the block: the nearest one in normal flow around it).
  const main = document.querySelector('main');
  const laidOut = e => /flex|grid|table/.test(getComputedStyle(e).display);
  const contentWidth = box => {{
    const style = getComputedStyle(box);
    return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }};
  const lineOf = element => {{
    let box = element;
    while (box !== main && (getComputedStyle(box).display.startsWith('inline')
        || /table-/.test(getComputedStyle(box).display) || laidOut(box.parentElement))) {{
      const row = box.parentElement;
      if (/flex/.test(getComputedStyle(row).display)) {{  // beside a checkbox, an icon
        const top = box.getBoundingClientRect().top;
        const others = [...row.children].filter(c => c !== box
            && Math.abs(c.getBoundingClientRect().top - top) < 4);
        const gaps = (parseFloat(getComputedStyle(row).columnGap) || 0) * others.length;
        const taken = others.reduce((sum, c) => sum + c.getBoundingClientRect().width, gaps);
        if (others.length) return contentWidth(row) - taken;
      }}
      box = row;
    }}
    return contentWidth(box);
  }};
  const broken = [];
  const texts = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {{
    const parent = node.parentElement;
    if (parent.closest('svg, .visually-hidden') || parent.offsetParent === null) continue;
    for (const word of node.textContent.matchAll(/\\S+/g)) {{
      if (/[-–]/.test(word[0])) continue;  // a compound may break at its hyphen
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const pieces = [...range.getClientRects()].filter(r => r.width > 0);
      const tops = pieces.map(r => Math.round(r.top));
      const width = pieces.reduce((sum, r) => sum + r.width, 0);
      if (new Set(tops).size > 1 && width < lineOf(parent) - 4) broken.push(word[0]);
    }}
  }}
  return {{
    wide: document.documentElement.scrollWidth - window.innerWidth,
    low: fields.filter(f => f.getBoundingClientRect().height < 24).map(f => f.id || f.name),
    broken: broken,
  }};
}}"""


def signed_in(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Language": "fi"}
    )
    page = context.new_page()
    page.goto(f"{base}/signin")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click('form[action="/signin"] button[type=submit]')
    page.wait_for_url(lambda url: "/signin" not in url)
    return page


def test_no_page_overflows_at_200_percent_text(
    browser: Browser, live_server: str, engine: Engine
) -> None:
    with Session(engine) as session:
        manager = make_case_manager(session, display_name="Kaisa Korhonen-Virtanen")
        manager.organisation = "Kuopion kaupungin nuorisopalvelut ja etsivä nuorisotyö"
        person = make_young_person(session, display_name="Aleksandra Pitkänimi-Järvinen")
        assign(session, manager, person)
        done, _ = survey.start_or_resume(session, actor=person)
        survey.submit(session, actor=person, assessment=done)
        answering, _ = survey.start_or_resume(session, actor=person)
        plan = plans.plan_of(
            session, actor=person, person_id=person.id or 0, action=AuditAction.PLAN_READ
        )
        goal = plans.add_goal(session, actor=person, plan=plan, text=LONG, themes=["health"])
        values = {"text": LONG, "owner": ActionOwner.SERVICE, "service_name": LONG[:60]}
        plans.add_action(session, actor=manager, plan=plan, goal=goal, values=values)
        agreement.agree(session, actor=manager, plan=plan)
        agreed = agreement.agree(session, actor=person, plan=plan)
        session.commit()
        ids = (person.id, done.id, agreed.id, answering.id)
        young, staff = person.username or "", manager.username or ""
    person_id, done_id, agreed_id, answering_id = ids
    pages = {
        young: [
            "/",
            "/assessments",
            f"/assessments/{done_id}",
            f"/assessments/{answering_id}/themes/1",
            f"/assessments/{answering_id}/review",
            f"/people/{person_id}/plan",
            f"/people/{person_id}/plan/agreements/{agreed_id}",
            "/me/access",
            "/account/sign-in-methods",
        ],
        staff: [
            "/caseload",
            f"/people/{person_id}",
            f"/people/{person_id}/plan",
            "/account/contact",
        ],
    }
    found = {}
    for username, paths in pages.items():
        page = signed_in(browser, live_server, username)
        for path in paths:
            response = page.goto(f"{live_server}{path}")
            assert response and response.status == 200, path
            result = page.evaluate(MEASURE)
            if result["wide"] > 0 or result["low"] or result["broken"]:
                found[f"{username} {path}"] = result
        page.context.close()
    assert found == {}
