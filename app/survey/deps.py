"""Load an assessment and check that the actor may touch it, in one place."""

from typing import Annotated

from fastapi import Depends, Query

from app.auth.deps import SignedIn
from app.core.db import SessionDep
from app.core.schemas import PathId
from app.survey import service
from app.survey.models import Assessment

# An earlier assessment to compare with (its id), or `none`; empty: the one before.
CompareQuery = Annotated[str, Query(max_length=12, pattern=r"^(none|\d{1,10})?$")]


def readable_assessment(session: SessionDep, actor: SignedIn, assessment_id: PathId) -> Assessment:
    """The person's own assessment, or one in the actor's caseload (audited)."""
    return service.get_assessment(session, actor=actor, assessment_id=assessment_id)


def own_assessment(session: SessionDep, actor: SignedIn, assessment_id: PathId) -> Assessment:
    """An assessment the actor is answering: only their own (anyone else's try is audited)."""
    return service.get_own_assessment(session, actor=actor, assessment_id=assessment_id)


ReadableAssessment = Annotated[Assessment, Depends(readable_assessment)]
OwnAssessment = Annotated[Assessment, Depends(own_assessment)]
