"""Enumerations with a Chinese label per code (DESIGN.md §3: "Enum filters accept the code or
the Chinese label").

A `LabelledEnum` parses either its code (`large`) or its label (`大型`), NFKC-folded and
trimmed (a full-width or padded value pasted from a document still matches), in a request
body, a query filter or an import row alike — pydantic calls `_missing_` when the value is
not a code. Responses and the OpenAPI schema keep the codes (`enum`); the schema lists the
labels under `x-enum-labels` for generated clients and the console.

A subclass gives its labels by overriding `message` (usually a lookup in a module-level dict
of `_("English label")` beside the enum): the label is English text whose Chinese is in the
shared gettext catalogue, so `label` (Chinese, the platform's language) and `label_in("en")`
come from one definition, and `make i18n` / the catalogue test catch a label left
untranslated. Each service serves its enums' labels in the caller's language (`GET /labels`,
see `served_labels`); the gateway merges them into the public `GET /api/v1/labels`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Any, cast

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, ValidationError, core_schema

from iims_common.i18n import DEFAULT_LOCALE, ENGLISH, Text, locale_var, text


class LabelledEnum(StrEnum):
    """A code with its Chinese label; parsing accepts either."""

    @property
    def message(self) -> Text:
        """The member's label as translatable text: `_("English")`, its Chinese in the shared
        catalogue (subclasses override; the code itself when there is none)."""
        return self.value

    @property
    def label(self) -> str:
        """The member's Chinese label (the platform's language, whatever the request's)."""
        return text(self.message, DEFAULT_LOCALE)

    def label_in(self, locale: str | None = None) -> str:
        """The member's label in `locale` (default: the current request's language)."""
        return text(self.message, locale or locale_var.get())

    @classmethod
    def _missing_(cls, value: object) -> LabelledEnum | None:
        if not isinstance(value, str):
            return None
        folded = unicodedata.normalize("NFKC", value).strip()
        for member in cls:
            if folded in (member.value, member.label):
                return member
        lowered = folded.casefold()
        for member in cls:
            if lowered == member.label_in(ENGLISH).casefold():
                return member
        return None

    @classmethod
    def labels(cls, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
        """code → label of every member in `locale` (Chinese by default), in declaration
        order."""
        return {m.value: m.label_in(locale) for m in cls}

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


def served_labels(
    enums: Iterable[type[LabelledEnum]], locale: str | None = None
) -> dict[str, dict[str, str]]:
    """The labels a service serves (`GET /labels`): enum class name → code → label in `locale`
    (default: the request's language). Two enums of one name must label alike."""
    out: dict[str, dict[str, str]] = {}
    for enum in enums:
        labels = enum.labels(locale or locale_var.get())
        if out.setdefault(enum.__name__, labels) != labels:
            raise ValueError(f"two enums named {enum.__name__} label their codes differently")
    return out
