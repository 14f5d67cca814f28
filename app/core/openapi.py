"""The problem+json schema, declared on every API route that can return it."""

from typing import Any

from pydantic import BaseModel


class FieldProblem(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    instance: str | None = None
    field: str | None = None
    errors: list[FieldProblem] | None = None
    current: dict[str, Any] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": Problem, "content": {"application/problem+json": {}}}
        for status in statuses
    }
