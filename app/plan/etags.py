"""Entity tags: an object's (`"<version>"`) and the plan's (`"r<revision>"`, with its current
proposal or agreement: `"r<revision>-p<id>"`, `"r<revision>-a<id>"`), written and read here
only; and the plan's poll, which answers "unchanged" to a caller that has the current tag."""

import re
from dataclasses import dataclass

from sqlmodel import Session

from app.audit.actions import AuditAction
from app.auth import access
from app.auth.models import Account
from app.plan import agreement, service
from app.plan.models import Plan, PlanAgreement

OBJECT_TAG = re.compile(r'\s*(?:W/)?"?(\d{1,9})"?\s*')
PLAN_TAG = re.compile(r'"r([0-9]{1,9})(-[pa][0-9]{1,9})?"')


def object_etag(version: int) -> str:
    """A goal's, action's or review's entity tag: its version, `"<version>"`."""
    return f'"{version}"'


def version_in(if_match: str) -> int | None:
    """The version an If-Match names (a bare number is taken too); None if it names none."""
    match = OBJECT_TAG.fullmatch(if_match)
    return int(match.group(1)) if match else None


def plan_etag(plan: Plan, current: PlanAgreement | None) -> str:
    """The plan's entity tag: its revision and its current proposal (`p`) or agreement (`a`),
    so that proposing and agreeing reach the other side's open page as a change does. The one
    format the page, its poll and the API use."""
    return f'"r{plan.revision}{_agreement_part(current)}"'


def _agreement_part(current: PlanAgreement | None) -> str:
    if current is None:
        return ""
    return f"-{'p' if current.agreed_at is None else 'a'}{current.id}"


def _tags(if_none_match: str | None) -> list[str]:
    """The entity tags of an If-None-Match header (weak ones compared as strong), at most 20."""
    parts = (if_none_match or "")[:1000].split(",")[:20]
    return [part.strip().removeprefix("W/") for part in parts if part.strip()]


def _named(tags: list[str]) -> tuple[int, str]:
    """The newest plan revision the caller names (0: none), to send what changed since, and
    the agreement part of that tag ('' for none)."""
    found = [match for match in (PLAN_TAG.fullmatch(tag) for tag in tags) if match]
    if not found:
        return 0, ""
    newest = max(found, key=lambda match: int(match.group(1)))
    return int(newest.group(1)), newest.group(2) or ""


@dataclass(frozen=True)
class PlanPoll:
    plan: Plan
    etag: str
    changed: bool  # False: the caller has this revision already (304, nothing disclosed)
    since: int  # the revision the caller has, 0 if it named none
    agreement_moved: bool = False  # a proposal or an agreement since the caller's tag


def read_plan_if_changed(
    session: Session, *, actor: Account, person_id: int, if_none_match: str | None
) -> PlanPoll:
    """Read the plan for a poll: the one rule for the page's poll and the JSON API alike.

    Access is checked first (a refusal is always recorded). A caller that already
    has the current tag learns only "unchanged", which discloses nothing and
    is not audited; a caller that gets the plan is recorded as having read it.
    """
    plan = service.plan_of(
        session, actor=actor, person_id=person_id, action=AuditAction.PLAN_READ, audited=False
    )
    found = agreement.current(session, plan=plan) if plan.id is not None else None
    etag, tags = plan_etag(plan, found), _tags(if_none_match)
    if etag in tags:  # "*" proves nothing: it would learn the revision without a record
        return PlanPoll(plan=plan, etag=etag, changed=False, since=plan.revision)
    access.record_access(
        session,
        actor=actor,
        subject_id=person_id,
        action=AuditAction.PLAN_READ,
        object_type="plan",
        object_id=plan.id,
    )
    since, seen = _named(tags)
    moved = bool(tags) and seen != _agreement_part(found)
    return PlanPoll(plan=plan, etag=etag, changed=True, since=since, agreement_moved=moved)
