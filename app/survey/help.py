"""The help box: shown while a person's answers on coping or self-esteem are very low (the
instrument's `help` rule), with ways to act now: the person's own case managers and how to
reach them, and the services configured in MYLIFE_HELP_CONTACTS (by default the Finnish
national ones). Reads only."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import describe_account
from app.auth.service import case_managers_of
from app.core.config import HelpContact, get_settings
from app.core.i18n import localized
from app.survey import service
from app.survey.definition import InstrumentDefinition
from app.survey.models import Answer, Assessment


@dataclass(frozen=True)
class Contact:
    """A help contact in the reader's language."""

    name: str
    detail: str
    phone: str
    url: str | None

    @property
    def tel(self) -> str:
        return "tel:" + self.phone.replace(" ", "")

    @property
    def site(self) -> str:
        return urlsplit(self.url or "").netloc.removeprefix("www.")


@dataclass(frozen=True)
class HelpBox:
    title: str
    message: str
    managers: list[tuple[str, list[Contact]]]  # each case manager, and how to reach them
    contacts: list[Contact]


def _contact(contact: HelpContact) -> Contact:
    return Contact(
        name=localized(contact.name),
        detail=localized(contact.detail) if contact.detail else "",
        phone=localized(contact.phone) if contact.phone else "",
        url=contact.url,
    )


def managers_to_reach(session: Session, person_id: int) -> list[tuple[str, list[Contact]]]:
    """A young person's case managers as others see them, each with the ways configured to
    reach their organisation (the help box and the home page)."""
    configured = get_settings().help_contacts
    found = []
    for manager in case_managers_of(session, person_id=person_id):
        reach = [
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
    person: Account | None,
) -> HelpBox | None:
    """The box when these answers call for it; `person` is the young person reading it (their
    case managers are named), None for a case manager reading it."""
    if definition.help is None or not definition.help_needed(satisfaction):
        return None
    national = [_contact(c) for c in get_settings().help_contacts if not c.organisation]
    return HelpBox(
        title=str(definition.help.title),
        message=str(definition.help.message),
        managers=managers_to_reach(session, person.id or 0) if person is not None else [],
        contacts=national,
    )


def _satisfaction(
    definition: InstrumentDefinition, answers: Mapping[str, Answer]
) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for theme in definition.themes:
        item = theme.item("satisfaction")
        answer = answers.get(item.id) if item else None
        found[theme.id] = answer.value if answer and isinstance(answer.value, int) else None
    return found


def latest_help(
    session: Session, *, person: Account, completed: list[Assessment]
) -> HelpBox | None:
    """The box while it applies to the person: their latest completed assessment calls for it
    (`completed`: their completed assessments)."""
    if not completed:
        return None
    latest = max(completed, key=lambda a: a.completed_at or a.started_at)
    definition = service.assessment_definition(session, latest)
    answers = service.answers_for(session, [latest.id or 0])[latest.id or 0]
    return help_box(session, definition, _satisfaction(definition, answers), person)
