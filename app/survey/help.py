"""The help box: shown while a person's answers on coping or self-esteem are very low (the
instrument's `help` rule). To the young person: ways to act now, their own case managers and
how to reach them, and the services configured in MYLIFE_HELP_CONTACTS (by default the Finnish
national ones). To a member of staff reading the person's answers: a professional's note,
which answers are very low and that the person has been shown where to get help; no crisis
lines addressed to them. Reads only."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import describe_account
from app.auth.service import case_managers_of
from app.core.config import HelpContact, get_settings
from app.core.i18n import current_locale, gettext, localized
from app.core.types import saved_id
from app.survey import queries, service
from app.survey.definition import InstrumentDefinition
from app.survey.models import Answer


@dataclass(frozen=True)
class Contact:
    """A help contact in the reader's language."""

    name: str
    detail: str
    phones: tuple[str, ...]
    url: str | None

    @property
    def calls(self) -> list[tuple[str, str]]:
        """Each number as shown, and its tap-to-call link."""
        return [(number, "tel:" + number.replace(" ", "")) for number in self.phones]

    @property
    def site(self) -> str:
        return urlsplit(self.url or "").netloc.removeprefix("www.")


@dataclass(frozen=True)
class HelpBox:
    title: str
    message: str
    managers: list[tuple[str, list[Contact]]]  # each case manager, and how to reach them
    contacts: list[Contact]
    note: str = ""  # to staff: what the young person is shown
    staff: bool = False  # a professional's version, about the person


def _contact(contact: HelpContact) -> Contact:
    numbers = contact.phone.get(current_locale()) or contact.phone.get("en")
    numbers = numbers or next(iter(contact.phone.values()), [])
    return Contact(
        name=localized(contact.name),
        detail=localized(contact.detail) if contact.detail else "",
        phones=(numbers,) if isinstance(numbers, str) else tuple(numbers),
        url=contact.url,
    )


def _own_contact(manager: Account) -> list[Contact]:
    """How the case manager said their young people reach them, if they said."""
    if not (manager.contact_phone or manager.contact_note):
        return []
    phones = (manager.contact_phone,) if manager.contact_phone else ()
    return [Contact(name="", detail=manager.contact_note or "", phones=phones, url=None)]


def managers_to_reach(
    session: Session, person_id: int, managers: list[Account] | None = None
) -> list[tuple[str, list[Contact]]]:
    """A young person's case managers (`managers`, if the caller has them) as others see them,
    each with the ways configured to reach their organisation (the help box and the home
    page)."""
    configured = get_settings().help_contacts
    found = []
    if managers is None:
        managers = case_managers_of(session, person_id=person_id)
    for manager in managers:
        reach = _own_contact(manager) + [
            _contact(c)
            for c in configured
            if c.organisation and c.organisation == manager.organisation
        ]
        found.append((describe_account(manager), reach))
    return found


def help_box(
    session: Session,
    definition: InstrumentDefinition,
    satisfaction: Mapping[str, int | None],
    *,
    reader: Account,
    subject: Account,
    managers: list[Account] | None = None,
) -> HelpBox | None:
    """The box when these answers (`subject`'s) call for it, for its reader: the young person
    themself (their case managers named, `managers` if the caller has them), or a member of
    staff (a professional's version)."""
    if definition.help is None or not definition.help_needed(satisfaction):
        return None
    if reader.id != subject.id:
        return _for_staff(definition, satisfaction, subject)
    national = [_contact(c) for c in get_settings().help_contacts if not c.organisation]
    return HelpBox(
        title=str(definition.help.title),
        message=str(definition.help.message),
        managers=managers_to_reach(session, saved_id(subject.id), managers),
        contacts=national,
    )


def _for_staff(
    definition: InstrumentDefinition, satisfaction: Mapping[str, int | None], subject: Account
) -> HelpBox:
    """What a member of staff reads: whose answers, which are very low, and what to do."""
    low = set(definition.help_needed(satisfaction))
    answers = ", ".join(
        f"{theme.title} {satisfaction[theme.id]}" for theme in definition.themes if theme.id in low
    )
    name = subject.display_name
    return HelpBox(
        title=gettext("%(name)s may need help now", name=name),
        message=gettext(
            "%(name)s answered very low on: %(answers)s (out of 10). Get in touch soon.",
            name=name,
            answers=answers,
        ),
        managers=[],
        contacts=[],
        note=gettext(
            "On their own pages %(name)s is shown where to get help right away, and how to "
            "reach their case managers.",
            name=name,
        ),
        staff=True,
    )


def calls_for_help(definition: InstrumentDefinition, answers: Mapping[str, Answer]) -> bool:
    """The rule, for one assessment's answers: its instrument's help rule on their
    satisfaction ratings."""
    return bool(definition.help_needed(definition.ratings(answers, "satisfaction")))


def needing_help(session: Session, person_ids: Collection[int]) -> set[int]:
    """The people whose latest completed assessment calls for help (the caseload's flag), in
    a fixed number of queries: the assessments, their answers, their instrument versions."""
    latest = queries.latest_completed(session, person_ids)
    answers = service.answers_for(session, [saved_id(a.id) for a in latest.values()])
    return {
        person_id
        for person_id, assessment in latest.items()
        if calls_for_help(
            service.assessment_definition(session, assessment), answers[saved_id(assessment.id)]
        )
    }


def latest_help(
    session: Session, *, person: Account, managers: list[Account] | None = None
) -> HelpBox | None:
    """The box while it applies to the person: their latest completed assessment calls for it
    (their case managers: `managers`, if the caller has them)."""
    person_id = saved_id(person.id)
    latest = queries.latest_completed(session, [person_id]).get(person_id)
    if latest is None:
        return None
    definition = service.assessment_definition(session, latest)
    answers = service.answers_for(session, [saved_id(latest.id)])[saved_id(latest.id)]
    satisfaction = definition.ratings(answers, "satisfaction")
    return help_box(
        session, definition, satisfaction, reader=person, subject=person, managers=managers
    )
