"""`JsonNumber`: a decimal documented as a JSON number (bounds, `multipleOf`), a binary-float
artefact read as the decimal it stands for, anything with more decimals still refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from iims_common.schemas import JsonNumber


class Module(BaseModel):
    hours: Annotated[
        Decimal, Field(gt=0, le=200, max_digits=4, decimal_places=1), JsonNumber(places=1)
    ]


def test_documented_as_a_bounded_number() -> None:
    assert Module.model_json_schema()["properties"]["hours"] == {
        "type": "number",
        "exclusiveMinimum": 0.0,
        "maximum": 200.0,
        "multipleOf": 0.1,
        "title": "Hours",
    }


@pytest.mark.parametrize(
    ("raw", "hours"),
    [("0.30000000000000004", "0.3"), ("2.5", "2.5"), ('"2.5"', "2.5"), ("200", "200")],
)
def test_float_artefacts_are_read_as_their_decimal(raw: str, hours: str) -> None:
    assert Module.model_validate_json(f'{{"hours": {raw}}}').hours == Decimal(hours)


@pytest.mark.parametrize("raw", ["2.25", "0", "200.1", '"abc"'])
def test_out_of_range_or_too_precise_is_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        Module.model_validate_json(f'{{"hours": {raw}}}')
