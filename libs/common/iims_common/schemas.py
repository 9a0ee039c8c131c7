"""Base classes of every service's request and response bodies (one way across services)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

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


@dataclass(frozen=True)
class JsonNumber:
    """`Annotated[Decimal, JsonNumber(places=1), Field(gt=0, le=200, decimal_places=1)]`: a
    decimal stated as a JSON number (with its bounds and, given `places`, `multipleOf`).

    pydantic documents a Decimal as "a number, or any string": a client generator (or
    schemathesis) then sends `"abc"` and is refused. Stated as a number it is what clients
    send. A JSON number is a binary float to most clients (`0.1 * 3` is
    `0.30000000000000004`), so a float within 1e-9 of a value with `places` decimals is read
    as that value rather than refused for its digits; numeric strings stay accepted."""

    places: int | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        places = self.places

        def snap(value: Any) -> Any:
            if places is None or not isinstance(value, float) or not math.isfinite(value):
                return value
            exact = Decimal(repr(value))
            rounded = exact.quantize(Decimal(1).scaleb(-places))
            return rounded if abs(exact - rounded) < Decimal("1e-9") else exact

        return core_schema.no_info_before_validator_function(snap, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        branches = json_schema.get("anyOf", [json_schema])
        number = next((b for b in branches if b.get("type") == "number"), {"type": "number"})
        out = {k: v for k, v in json_schema.items() if k != "anyOf"} | dict(number)
        if self.places is not None:
            out["multipleOf"] = float(Decimal(1).scaleb(-self.places))
        if isinstance(out.get("default"), str):  # pydantic writes a Decimal default as text
            out["default"] = float(out["default"])
        return out
