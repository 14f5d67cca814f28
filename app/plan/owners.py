"""Who does an action. A case manager's action names the staff account that does it
(`PlanAction.owner_id`), so that "you" is said only to that person and everyone else reads
their name: the young person reads which of their case managers, another case manager reads
the colleague's name. A team member of another service (issue 14) is named the same way.

`owner_id_for` is the rule for what is stored; `Reader` says it as one reader reads it."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.auth.models import Account
from app.auth.naming import names_of
from app.auth.service import case_managers_of
from app.core.i18n import gettext
from app.core.types import saved_id
from app.plan.errors import CaseManagerRequired, OwnerUnknown
from app.plan.models import ActionOwner, Plan, PlanAction

SEPARATOR = ":"  # a form's choice of a named person: "case_manager:12"


def owner_id_for(
    managers: Collection[int],
    *,
    actor: Account,
    chosen: int | None,
    current: int | None,
    unnamed: bool = False,
) -> int | None:
    """The staff account that does a case manager's action: the one chosen (one of the
    person's case managers `managers`, or the action's own already, `current`); if none is
    chosen, the one it has (an action `unnamed` before this rule stays so), else the actor if
    they are one of them, else the person's only case manager (None if they have none)."""
    if chosen is not None:
        if chosen in managers or chosen == current:
            return chosen
        raise OwnerUnknown(field="owner")
    if current is not None or unnamed:
        return current
    if actor.id in managers:
        return actor.id
    if len(managers) > 1:
        raise CaseManagerRequired(field="owner")
    return next(iter(managers), None)


def choice_value(owner: str, owner_id: int | None = None) -> str:
    """How a form says who does an action: the kind, and a named person's account id."""
    return f"{owner}{SEPARATOR}{owner_id}" if owner_id is not None else str(owner)


def read_choice(raw: str) -> tuple[ActionOwner, int | None]:
    """A form's choice of who does an action (ValueError if it is none of them)."""
    kind, _, account = raw.partition(SEPARATOR)
    owner = ActionOwner(kind)
    if not account:
        return owner, None
    if owner is not ActionOwner.CASE_MANAGER or not account.isdecimal() or len(account) > 9:
        raise ValueError(raw)
    return owner, int(account)


def _is_choice(raw: str) -> bool:
    try:
        read_choice(raw)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Reader:
    """Whose eyes a plan is read with: the young person's own (`mine`) or a staff member's;
    and the names of the staff it mentions, by account id (`staff`), its young person's case
    managers now first (`managers`, the longest-standing first)."""

    account_id: int
    mine: bool
    person_name: str
    staff: Mapping[int, str]
    managers: tuple[int, ...] = ()

    def who(self, owner: str, owner_id: int | None = None, service_name: str | None = None) -> str:
        """Who does an action, as this reader says it: "you" only to the person who does it."""
        kind = ActionOwner(owner)
        if kind is ActionOwner.YOUNG_PERSON:
            return gettext("you") if self.mine else self.person_name
        if kind is ActionOwner.SERVICE:
            return service_name or ""
        if owner_id is not None and owner_id == self.account_id:
            return gettext("you")
        if owner_id is not None and owner_id in self.staff:
            return self.staff[owner_id]
        return gettext("your case manager") if self.mine else gettext("a case manager")

    def choices(self, chosen: str = "") -> list[tuple[str, str]]:
        """The action form's choices of who does it (value, words): the young person, each
        case manager by name, a service; and the choice the action has (`chosen`, its
        `choice_value`) if it is none of those (an owner no longer a case manager, or one
        not named)."""
        staff = [choice_value(ActionOwner.CASE_MANAGER, i) for i in self.managers]
        values = [
            choice_value(ActionOwner.YOUNG_PERSON),
            *staff,
            *([] if staff else [choice_value(ActionOwner.CASE_MANAGER)]),
            choice_value(ActionOwner.SERVICE),
        ]
        if chosen and chosen not in values and _is_choice(chosen):
            values.insert(1 + len(staff), chosen)
        return [(value, self._choice_words(value)) for value in values]

    def _choice_words(self, value: str) -> str:
        owner, owner_id = read_choice(value)
        if owner is ActionOwner.SERVICE:
            return gettext("a service (name it below)")
        return self.who(owner, owner_id)


def reader_for(
    session: Session,
    *,
    actor: Account,
    person: Account,
    owner_ids: Collection[int | None] = (),
    managers: list[Account] | None = None,
) -> Reader:
    """The plan's reader, with the names of its young person's case managers (`managers`, if
    the caller has them) and of the staff doing its actions (`owner_ids`): a query for the
    case managers and, only for owners who are no longer one of them, one more."""
    if managers is None:
        managers = case_managers_of(session, person_id=saved_id(person.id))
    staff = {saved_id(m.id): m.display_name for m in managers}
    others = {i for i in owner_ids if i is not None and i not in staff}
    staff.update({i: name for i, (name, _organisation) in names_of(session, others).items()})
    return Reader(
        account_id=saved_id(actor.id),
        mine=actor.id == person.id,
        person_name=person.display_name,
        staff=staff,
        managers=tuple(saved_id(m.id) for m in managers),
    )


def with_owner(
    session: Session,
    actor: Account,
    plan: Plan,
    values: Mapping[str, Any],
    action: PlanAction | None = None,
) -> dict[str, Any]:
    """An action's values with the staff account that does it (`owner_id_for`; none unless a
    case manager does it), when they say who does it; anything else's as they are."""
    if "owner" not in values and "owner_id" not in values:
        return dict(values)
    owner = values.get("owner") or (action.owner if action is not None else None)
    if owner != ActionOwner.CASE_MANAGER:
        return {**values, "owner_id": None}
    was_managers = action is not None and action.owner == ActionOwner.CASE_MANAGER
    owner_id = owner_id_for(
        managers_of_plan(session, plan),
        actor=actor,
        chosen=values.get("owner_id"),
        current=action.owner_id if action is not None and was_managers else None,
        unnamed=was_managers and action is not None and action.owner_id is None,
    )
    return {**values, "owner_id": owner_id}


def managers_of_plan(session: Session, plan: Plan) -> list[int]:
    """The ids of the plan's young person's case managers now (who may do its actions)."""
    return [saved_id(m.id) for m in case_managers_of(session, person_id=plan.young_person_id)]
