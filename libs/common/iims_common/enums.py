"""Enumerations with a Chinese label per code (DESIGN.md §3: "Enum filters accept the code or
the Chinese label").

A `LabelledEnum` parses either its code (`large`) or its label (`大型`), NFKC-folded and
trimmed (a full-width or padded value pasted from a document still matches), in a request
body, a query filter or an import row alike — pydantic calls `_missing_` when the value is
not a code. Responses and the OpenAPI schema keep the codes (`enum`); the schema lists the
labels under `x-enum-labels` for generated clients and the console.

A subclass declares its labels in its own body, once, as `__labels__`: a mapping from each
member (in the class body a member's name is still its code) to `_("English label")`, the
English text whose Chinese is in the shared gettext catalogue:

    class EnterpriseSize(LabelledEnum):
        large = "large"
        small = "small"

        __labels__ = {large: _("Large"), small: _("Small")}

That is the only way an enum gets labels (no `message` override, no module-level dict beside
the enum). The mapping is checked when the class is created — a member without a label or a
label for no member is a `TypeError` at import — and is looked up by the member's own class
and code: StrEnum members of different enums with the same code hash and compare equal (they
are `str`s), so one dict keyed by members of several enums would give them one label between
them. `label` (Chinese, the platform's language) and `label_in("en")` come from this one
definition, and `make i18n` / the catalogue test find every `_("…")` in it like any other
(`iims_common.i18n_catalogue`). Each service serves its enums' labels in the caller's
language (`GET /labels`, see `served_labels`); the gateway merges them into the public
`GET /api/v1/labels`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Any, ClassVar, cast

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, ValidationError, core_schema

from iims_common.i18n import DEFAULT_LOCALE, ENGLISH, Text, locale_var, text


class LabelledEnum(StrEnum):
    """A code with its label, declared in the subclass's `__labels__` (code → `_("English")`,
    see the module docstring); parsing accepts the code or the label."""

    _value_: str  # (for mypy, which would otherwise infer the code's type from `__labels__`)
    # Set by each subclass in its body; read-only (a MappingProxyType) once the class exists.
    __labels__: ClassVar[Mapping[str, Text]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Check and freeze the subclass's `__labels__`: exactly one label per member.

        Raises `TypeError` naming the codes without a label, or the keys that are no code of
        the enum (a typo would otherwise surface as a KeyError on first render)."""
        super().__init_subclass__(**kwargs)
        declared = cls.__dict__.get("__labels__")
        if not isinstance(declared, Mapping):
            raise TypeError(f"{cls.__name__} must declare __labels__ = {{code: _('Label'), …}}")
        codes = [member.value for member in cls]
        unlabelled = [code for code in codes if code not in declared]
        unknown = [key for key in declared if key not in codes]
        if unlabelled or unknown:
            raise TypeError(
                f"{cls.__name__}.__labels__ must label each member once: "
                f"without a label {unlabelled}, not a member {unknown}"
            )
        cls.__labels__ = MappingProxyType({code: declared[code] for code in codes})

    @property
    def message(self) -> Text:
        """The member's label as translatable text: `_("English")` from its own class's
        `__labels__` (keyed by class and code, never by the member alone), its Chinese in the
        shared catalogue."""
        return type(self).__labels__[self.value]

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
