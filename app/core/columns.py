"""Column shapes the domains' tables share."""

from typing import Any

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field


def foreign_key(
    target: str, *, ondelete: str = "CASCADE", nullable: bool = False, index: bool = True
) -> Any:
    """An integer column referring to `target` ("account.id"): required unless `nullable`
    (then None by default), indexed unless told otherwise, following `ondelete`."""
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), index=index, nullable=nullable
        ),
    )
