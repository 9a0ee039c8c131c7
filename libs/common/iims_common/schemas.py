"""Base classes of every service's request and response bodies (one way across services)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from iims_common.i18n import Message


class Input(BaseModel):
    """A request body: unknown fields are refused (a typo is a 422, not silently ignored)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def checked(error_of: Callable[[str], Message | None]) -> Any:
    """A validator from a domain function that returns an error message or None (a
    `Message` from `iims_common.i18n._` is rendered in the request's language)."""

    def validate(value: str) -> str:
        error = error_of(value)
        if error:
            raise ValueError(error)
        return value

    return AfterValidator(validate)
