"""The MyLife application: routers, middleware and the one error handler."""

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from app import models  # noqa: F401  (every table registered before use)
from app.access_log.views import router as access_log_router
from app.api import router as api_router
from app.auth import naming
from app.auth.models import Role
from app.auth.oidc import FLOW_COOKIE, FLOW_SECONDS
from app.auth.views import INVITATION_SIGN_UP
from app.auth.views import router as auth_router
from app.caseload import sign_up
from app.caseload.views import router as caseload_router
from app.core import problems, templates
from app.core.assets import Assets
from app.core.compression import Compression
from app.core.config import get_settings
from app.core.edge import EdgeMiddleware, ResponseHeaders
from app.core.errors import AppError
from app.core.i18n import LocaleMiddleware
from app.core.logs import redact_access_log
from app.core.security import cookie_name, derived_key
from app.fhir.api import router as fhir_router
from app.fhir.errors import render_outcome
from app.pages import router as pages_router
from app.plan.agreement import Standing
from app.plan.models import ActionOwner, GoalStatus, PlanState, limit, plan_state_label
from app.plan.views import router as plan_router
from app.survey.models import AssessmentStatus
from app.survey.views import router as survey_router


class MyLife(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's own error middleware, so that a 500 page has the headers too,
        # and is compressed like any other page.
        return ResponseHeaders(Compression(super().build_middleware_stack()))


def add_template_names() -> None:
    """The domains' enums and labels that templates compare and show: `account.role ==
    Role.CASE_MANAGER`, `GoalStatus(value).label`; each label is defined once, by its enum."""
    templates.add_names(
        describe=naming.describe,  # a person as others see them: name (role, organisation)
        Role=Role,
        GoalStatus=GoalStatus,
        ActionOwner=ActionOwner,
        PlanState=PlanState,
        Standing=Standing,  # a plan's state in a list, for its reader (the caseload)
        AssessmentStatus=AssessmentStatus,
        plan_state_label=plan_state_label,
        limit=limit,  # a plan field's maxlength, from its model: limit('Goal', 'text')
    )
    templates.environment.filters["described"] = naming.describe_account


def add_middleware(app: FastAPI) -> None:
    """The last added runs first: language, the edge checks (host, size, NUL, forgery), the
    OIDC flow. Security headers wrap everything, error pages included (MyLife above)."""
    settings = get_settings()
    # Only the OpenID Connect flow (state, nonce, PKCE verifier) lives in this signed,
    # short-lived cookie; the sign-in session itself is a server-side row.
    app.add_middleware(
        SessionMiddleware,
        secret_key=derived_key("oidc-flow"),
        session_cookie=cookie_name(FLOW_COOKIE),
        max_age=FLOW_SECONDS,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(EdgeMiddleware, refuse=problems.refuse)
    app.add_middleware(LocaleMiddleware, default=settings.default_locale)


def add_routes(app: FastAPI) -> None:
    """The static files, every domain's pages and the JSON and FHIR APIs."""
    # A new identity from an invitation signs up through the caseload, which auth can't import.
    setattr(app.state, INVITATION_SIGN_UP, sign_up.with_identity)
    app.mount("/static", Assets(), name="static")
    app.include_router(pages_router)
    app.include_router(auth_router)
    app.include_router(survey_router)
    app.include_router(caseload_router)
    app.include_router(plan_router)
    app.include_router(access_log_router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(fhir_router)


def add_error_handlers(app: FastAPI) -> None:
    """Every error is rendered by app/core/problems.py; under /fhir/ as an OperationOutcome."""
    problems.RENDERERS["/fhir/"] = render_outcome
    app.add_exception_handler(AppError, problems.handle_app_error)
    app.add_exception_handler(RequestValidationError, problems.handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, problems.handle_http_error)
    app.add_exception_handler(Exception, problems.handle_unexpected)


def create_app() -> FastAPI:
    redact_access_log()
    add_template_names()
    app = MyLife(
        title="MyLife",
        version="0.1.0",
        summary="The 3X10D life assessment and the Circle of Life",
        docs_url="/docs",
        redoc_url=None,
    )
    add_middleware(app)
    add_routes(app)
    add_error_handlers(app)
    return app


app = create_app()
