"""The welfare plan: goals, actions and reviews, their history and the agreed versions.

Every editable object carries a `version`; an edit names the version it was
made on and is refused when that is no longer current (no silent overwrite).
The plan's `revision` counts every change to anything in it; `content_revision` is the
revision of the last change to what an agreement covers (see `app/plan/agreement.py`).
"""

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field as PydanticField
from pydantic import Strict, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlmodel import Field, SQLModel, col
from sqlmodel._compat import SQLModelConfig

from app.core.bounds import INT_MAX
from app.core.columns import foreign_key
from app.core.i18n import N_, Labelled, gettext
from app.core.schemas import BODY_CONFIG, Body, IsoDate, Version, max_length, no_nul, visible
from app.core.types import UTCDateTime, utcnow
from app.survey.definition import shipped_theme_ids


class Plan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    young_person_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("account.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    revision: int = 0
    # The revision of the last change to what an agreement covers (goals' and actions'
    # content); progress (an action done, a goal reached, a review) leaves it as it is.
    content_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GoalStatus(Labelled):
    OPEN = "open", N_("Open")
    REACHED = "reached", N_("Reached")
    DROPPED = "dropped", N_("Dropped")


# --- each field's rule, once: the tables, the API schemas, the forms and the pages read it ---

GoalText = Annotated[str, Strict(), visible(2000)]
ReviewText = Annotated[str, Strict(), no_nul(4000)]
SERVICE_NAME_MAX = 120
BASE_CONFIG = SQLModelConfig(regex_engine="python-re")  # as the API bodies have it
ThemeId = Annotated[
    str, Strict(), WithJsonSchema({"type": "string", "enum": list(shipped_theme_ids())})
]


class Versioned(SQLModel):
    """What every editable plan object carries: the version an edit names, and when it was
    created and last changed."""

    version: int = 1
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class GoalBase(SQLModel):
    """What a goal says, and the rules of each field."""

    model_config = BASE_CONFIG

    text: GoalText = Field(sa_column=Column(Text, nullable=False))
    themes: list[ThemeId] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Goal(GoalBase, Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = foreign_key("plan.id")
    status: GoalStatus = Field(default=GoalStatus.OPEN, sa_type=String(10))


class ActionOwner(Labelled):
    """Who does an action; its label says who in general: "the young person", "a service".
    A reader is told who by name, or "you" (`app/plan/owners.py` `Reader.who`)."""

    YOUNG_PERSON = "young_person", N_("the young person")
    CASE_MANAGER = "case_manager", N_("the case manager")
    SERVICE = "service", N_("a service")


class PlanState(Labelled):
    """Where the plan's current revision stands on agreement."""

    DRAFT = "draft", N_("draft")
    PROPOSED = "proposed", N_("waiting for agreement")  # one side proposed it, not both yet
    AGREED = "agreed", N_("agreed")


NO_PLAN_LABEL = N_("not started")


def plan_state_label(state: PlanState | None) -> str:
    """A plan's state in the reader's language, or that there is no plan yet (None)."""
    return state.label if state is not None else gettext(NO_PLAN_LABEL)


class ActionBase(SQLModel):
    """What an action says and by when, and the rules of each field."""

    model_config = BASE_CONFIG

    text: GoalText = Field(sa_column=Column(Text, nullable=False))
    due_on: IsoDate | None = None


class PlanAction(ActionBase, Versioned, table=True):
    """Who does what by when, under one goal."""

    __tablename__ = "plan_action"

    id: int | None = Field(default=None, primary_key=True)
    goal_id: int = foreign_key("goal.id")
    plan_id: int = foreign_key("plan.id")
    owner: ActionOwner = Field(sa_type=String(20))
    # The staff account that does it, when a case manager does (a team member, later): the
    # reader is told "you" only when it is theirs, and everyone else reads their name.
    owner_id: int | None = foreign_key("account.id", nullable=True, ondelete="SET NULL")
    service_name: str | None = Field(default=None, max_length=SERVICE_NAME_MAX)
    done: bool = False

    def _overdue(self, today: date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today

    @classmethod
    def _overdue_clause(cls, today: date) -> ColumnElement[bool]:
        return and_(col(cls.done).is_(False), col(cls.due_on) < today)

    # The rule: not done and its day has passed (`today` in Finnish time: `local_today`),
    # on one action (`action.overdue(today)`, the pages) and as SQL (`PlanAction.overdue(today)`,
    # counting many plans' actions in one query).
    overdue: ClassVar[hybrid_method[[date], bool]] = hybrid_method(_overdue, _overdue_clause)


class ReviewBase(SQLModel):
    """What a review records, and the rules of each field."""

    model_config = BASE_CONFIG

    held_on: IsoDate
    agreed: ReviewText = Field(default="", sa_column=Column(Text, nullable=False))
    changed: ReviewText = Field(default="", sa_column=Column(Text, nullable=False))
    next_review_on: IsoDate | None = None


class Review(ReviewBase, Versioned, table=True):
    __tablename__ = "plan_review"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = foreign_key("plan.id")


class PlanChange(SQLModel, table=True):
    """One applied change to one plan object: who, when, before and after."""

    __tablename__ = "plan_change"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = foreign_key("plan.id")
    goal_id: int | None = foreign_key("goal.id", nullable=True, ondelete="SET NULL")
    revision: int
    object_type: str = Field(max_length=20)
    object_id: int
    kind: str = Field(max_length=10)  # created | updated
    actor_id: int | None = foreign_key("account.id", nullable=True, ondelete="SET NULL")
    # Who made the change as they were then: their name, role and organisation are
    # copied, so that the history does not change when the account changes later.
    actor_name: str = Field(max_length=120)
    actor_role: str | None = Field(default=None, max_length=20)
    actor_organisation: str | None = Field(default=None, max_length=120)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class PlanAgreement(SQLModel, table=True):
    """A plan revision one side proposed; frozen once the other side agreed too."""

    __tablename__ = "plan_agreement"
    __table_args__ = (UniqueConstraint("plan_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = foreign_key("plan.id")
    revision: int
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    proposed_by_id: int | None = foreign_key("account.id", nullable=True, ondelete="SET NULL")
    proposed_by_role: str = Field(max_length=20)
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    agreed_by_id: int | None = foreign_key("account.id", nullable=True, ondelete="SET NULL")
    agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# --- API schemas, on the base models ----------------------------------------------


class YoungPersonOwner(Body):
    kind: Literal["young_person"]


class CaseManagerOwner(Body):
    kind: Literal["case_manager"]
    account_id: Annotated[int, Strict(), PydanticField(ge=1, le=INT_MAX)] | None = PydanticField(
        default=None,
        description="Which of the person's case managers does it; if left out, the one "
        "adding it, or the person's only case manager",
    )


class ServiceOwner(Body):
    kind: Literal["service"]
    name: Annotated[str, Strict(), visible(SERVICE_NAME_MAX)]


PersonOwner = YoungPersonOwner | CaseManagerOwner
Owner = Annotated[
    YoungPersonOwner | CaseManagerOwner | ServiceOwner, PydanticField(discriminator="kind")
]
# A response always has every field, those with a default too.
PUBLIC_CONFIG = SQLModelConfig(json_schema_serialization_defaults_required=True)
EDITED_ON = "The version the edit was made on (or send If-Match)"


class GoalCreate(GoalBase):
    model_config = SQLModelConfig(**BODY_CONFIG)


class GoalUpdate(GoalBase):
    model_config = SQLModelConfig(**BODY_CONFIG)

    text: GoalText | SkipJsonSchema[None] = None  # type: ignore[assignment]
    themes: list[ThemeId] | SkipJsonSchema[None] = None  # type: ignore[assignment]
    status: GoalStatus | SkipJsonSchema[None] = None
    version: Version | None = PydanticField(default=None, description=EDITED_ON)


class ActionCreate(ActionBase):
    model_config = SQLModelConfig(**BODY_CONFIG)

    owner: Owner


class ActionUpdate(ActionBase):
    model_config = SQLModelConfig(**BODY_CONFIG)

    text: GoalText | SkipJsonSchema[None] = None  # type: ignore[assignment]
    owner: Owner | SkipJsonSchema[None] = None
    done: Annotated[bool, Strict()] | SkipJsonSchema[None] = None
    version: Version | None = PydanticField(default=None, description=EDITED_ON)


class ReviewCreate(ReviewBase):
    model_config = SQLModelConfig(**BODY_CONFIG)


class ReviewUpdate(ReviewBase):
    model_config = SQLModelConfig(**BODY_CONFIG)

    held_on: IsoDate | SkipJsonSchema[None] = None  # type: ignore[assignment]
    agreed: ReviewText | SkipJsonSchema[None] = None  # type: ignore[assignment]
    changed: ReviewText | SkipJsonSchema[None] = None  # type: ignore[assignment]
    version: Version | None = PydanticField(default=None, description=EDITED_ON)


def owner_values(owner: PersonOwner | ServiceOwner) -> dict[str, Any]:
    """The API's owner object as the plan's columns."""
    return {
        "owner": owner.kind,
        "owner_id": getattr(owner, "account_id", None),
        "service_name": getattr(owner, "name", None),
    }


class ActionPublic(ActionBase):
    model_config = PUBLIC_CONFIG

    id: int
    version: int
    goal_id: int
    owner: Owner
    done: bool

    @classmethod
    def of(cls, action: "PlanAction") -> "ActionPublic":
        owner: PersonOwner | ServiceOwner = (
            ServiceOwner(kind="service", name=action.service_name or "")
            if action.owner == ActionOwner.SERVICE
            else CaseManagerOwner(kind="case_manager", account_id=action.owner_id)
            if action.owner == ActionOwner.CASE_MANAGER
            else YoungPersonOwner(kind="young_person")
        )
        values = action.model_dump(include={"id", "version", "goal_id", "text", "due_on", "done"})
        return cls(**values, owner=owner)


class GoalPublic(GoalBase):
    model_config = PUBLIC_CONFIG

    id: int
    version: int
    themes: list[str]  # those of any instrument version, not only the shipped ones
    status: GoalStatus
    actions: list[ActionPublic] = []


class ReviewPublic(ReviewBase):
    model_config = PUBLIC_CONFIG

    id: int
    version: int


class AgreementPublic(SQLModel):
    id: int
    revision: int
    proposed_by_role: str
    proposed_by_id: int | None = PydanticField(
        description="Who proposed it (None: an account since removed)"
    )
    proposed_at: datetime
    agreed_by_id: int | None = PydanticField(description="Who agreed to it, once agreed")
    agreed_at: datetime | None


class PlanPublic(SQLModel):
    id: int | None = PydanticField(description="None until the plan's first change saves it")
    person_id: int
    revision: int
    state: str
    proposal: AgreementPublic | None
    last_agreed: AgreementPublic | None
    goals: list[GoalPublic]
    reviews: list[ReviewPublic]


class ChangePublic(SQLModel):
    revision: int
    object_type: str
    object_id: int
    kind: str
    actor_name: str
    actor_role: str | None = PydanticField(
        description="The role of whoever made the change, when they made it"
    )
    actor_organisation: str | None = PydanticField(
        description="Their organisation then (staff only)"
    )
    actor: str = PydanticField(
        description="Who made the change, as the reader sees them: name (role, organisation)"
    )
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any]


class FocusPublic(SQLModel):
    theme_id: str
    title: str
    importance: int
    satisfaction: int


FORM_MODELS: dict[str, type[SQLModel]] = {"Goal": Goal, "PlanAction": PlanAction, "Review": Review}


def limit(model: str, name: str) -> int:
    """A plan field's `maxlength` for a page (`limit('Goal', 'text')`): its model's rule."""
    return max_length(FORM_MODELS[model], name)
