"""The submitted form as a dependency, so plain `def` views can read any field."""

from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import FormData

from app.core.errors import AppError


async def read_form(request: Request) -> FormData:
    return await request.form()  # parsed once per request, and cached by Starlette


FormDep = Annotated[FormData, Depends(read_form)]


def form_state(values: dict[str, str], error: AppError) -> dict[str, Any]:
    """A refused form shown again: what was sent (`values`), each field's problem
    (`problems`), as the form macros read them."""
    return {"values": values, "problems": {e.field: e for e in error.errors}}


def text_fields(form: FormData, names: list[str]) -> dict[str, str]:
    """The named text fields that were sent (files and missing names are left out)."""
    values = {}
    for name in names:
        value = form.get(name)
        if isinstance(value, str):
            values[name] = value
    return values
