"""Enumerations with a Chinese label per code (DESIGN.md §3: "Enum filters accept the code or
the Chinese label").

A `LabelledEnum` parses either its code (`large`) or its label (`大型`), NFKC-folded and
trimmed (a full-width or padded value pasted from a document still matches), in a request
body, a query filter or an import row alike — pydantic calls `_missing_` when the value is
not a code. Responses and the OpenAPI schema keep the codes (`enum`); the schema lists the
labels under `x-enum-labels` for generated clients and the console.

A subclass gives its labels by overriding `label` (usually a lookup in a module-level dict).
"""

from __future__ import annotations

import unicodedata
from enum import StrEnum
from typing import Any, cast

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, ValidationError, core_schema


class LabelledEnum(StrEnum):
    """A code with its Chinese label; parsing accepts either."""

    @property
    def label(self) -> str:
        """The member's Chinese label (subclasses override)."""
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> LabelledEnum | None:
        if not isinstance(value, str):
            return None
        folded = unicodedata.normalize("NFKC", value).strip()
        for member in cls:
            if folded in (member.value, member.label):
                return member
        return None

    @classmethod
    def labels(cls) -> dict[str, str]:
        """code → label of every member, in declaration order."""
        return {m.value: m.label for m in cls}

    @classmethod
    def expected(cls) -> str:
        """The choices for a refusal: each code with its label (`'large' (大型)`), joined the
        way pydantic joins choices (`a, b or c`) so the message is translated like its own."""
        choices = [f"'{code}' ({label})" for code, label in cls.labels().items()]
        return choices[0] if len(choices) == 1 else ", ".join(choices[:-1]) + " or " + choices[-1]

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """pydantic's enum schema, with a refusal that names the labels too: a user who typed
        `特大型` sees `'large' (大型), …` — the codes and the Chinese the filter also takes."""
        schema: dict[str, Any] = dict(handler(source))

        def validate(value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
            try:
                return inner(value)
            except ValidationError as exc:
                if any(e["type"] == "enum" for e in exc.errors()):
                    raise PydanticCustomError(
                        "enum", "Input should be {expected}", {"expected": cls.expected()}
                    ) from None
                raise

        # The reference moves to the wrapper, so the enum stays one named component (`$ref`)
        # in the OpenAPI document rather than being inlined at each use.
        ref = schema.pop("ref", None)
        inner = cast(core_schema.CoreSchema, schema)
        return core_schema.no_info_wrap_validator_function(validate, inner, ref=ref)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema: dict[str, Any] = handler(schema)
        json_schema = handler.resolve_ref_schema(json_schema)
        json_schema["x-enum-labels"] = cls.labels()
        json_schema.setdefault(
            "description",
            "Code, or its Chinese label on input: "
            + ", ".join(f"{code} ({label})" for code, label in cls.labels().items()),
        )
        return json_schema
