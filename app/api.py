"""Every domain's JSON routes, mounted under /api/v1."""

from fastapi import APIRouter

from app.auth.api import router as auth_router
from app.plan.api import router as plan_router
from app.survey.api import router as survey_router

router = APIRouter()
router.include_router(auth_router)
router.include_router(survey_router)
router.include_router(plan_router)
