"""Every domain's JSON routes, mounted under /api/v1."""

from fastapi import APIRouter

from app.survey.api import router as survey_router

router = APIRouter()
router.include_router(survey_router)
