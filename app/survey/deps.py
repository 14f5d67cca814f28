"""Load an assessment and check that the actor may touch it, in one place."""

from typing import Annotated

from fastapi import Depends, Path

from app.auth.deps import YoungPerson
from app.core.db import SessionDep
from app.survey import service
from app.survey.models import Assessment


def assessment_for_actor(
    session: SessionDep,
    actor: YoungPerson,
    assessment_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Assessment:
    return service.get_assessment(session, actor=actor, assessment_id=assessment_id)


AssessmentDep = Annotated[Assessment, Depends(assessment_for_actor)]
