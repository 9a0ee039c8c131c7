"""The base of every event contract: a frozen Pydantic model of the CloudEvent's `data`, with
its topic, CloudEvents `type`, Kafka key, producer and consumers named once, beside it.

Evolution rule (DESIGN.md §1 "Contracts"): a version only ever gains *optional* fields (with a
default); removing or renaming a field, changing its type or making it required is a new
`.v2` contract class on the same topic. Unknown fields are ignored when parsing, so a consumer
built against an older contract reads a newer producer's events.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

TYPE_PREFIX = "cn.iims."
SOURCE_PREFIX = "/iims/"

# Shared field types (ASCII character classes: `\d` would accept full-width digits).
ProvinceCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{6}$"),
    Field(
        description="省级行政区划代码 (GB/T 2260, 6 digits, e.g. 320000 江苏省)",
        examples=["320000"],
    ),
]
IndustryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-T]([0-9]{2,4})?$"),
    Field(
        description="国民经济行业分类 (GB/T 4754-2017): section letter A–T, optionally with the "
        "division/group/class digits (e.g. C, C26)",
        examples=["C26"],
    ),
]
Uscc = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-HJ-NP-RTUWXY]{18}$"),
    Field(
        description="统一社会信用代码 (GB 32100-2015, 18 characters, check character verified "
        "by the producer)",
        examples=["91320102MA1XXXXXX5"],
    ),
]
Year = Annotated[int, Field(ge=2000, le=2100, description="programme year (批次年度)")]
Period = Annotated[
    str,
    StringConstraints(min_length=1, max_length=20),
    Field(description="reporting period: a year `2025` or a quarter `2025Q3`", examples=["2025"]),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
OptionalText = Annotated[str | None, StringConstraints(max_length=2000)]


class EventContract(BaseModel):
    """One event type and version. Subclasses declare the ClassVars and the fields of `data`.

    ClassVars: `topic` (Kafka topic, also the event name), `type_version` (the `.vN` of the
    type), `key_field` (the field whose value is the Kafka key and the CloudEvents `subject`:
    the aggregate the event is about), `producer` (the service that publishes it; `source` is
    `/iims/<producer>`), `consumers` (the services that read it), `label` (Chinese name),
    `webhook` (provinces may subscribe to it by webhook) and `example` (a valid `data`, used
    by the documentation and the tests). A webhook contract also names itself for the
    subscribers in English (`label_en`) and says in Chinese what it means and when it is
    sent (`summary_zh`; the English is `summary_en()`, the docstring's first paragraph) —
    the console's webhook form shows them in the caller's language. The methods (`event_type`, `ce_source`, `parse`,
    `kafka_key`, `payload`) are named so that no `data` field is shadowed (`source`,
    `version` and `key` are ordinary field names of some events).
    """

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=False)

    topic: ClassVar[str]
    type_version: ClassVar[int] = 1
    key_field: ClassVar[str]
    producer: ClassVar[str]
    consumers: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str]
    label_en: ClassVar[str | None] = None
    summary_zh: ClassVar[str | None] = None
    webhook: ClassVar[bool] = False
    example: ClassVar[dict[str, Any]]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        for name in ("topic", "key_field", "producer", "label", "example"):
            if not hasattr(cls, name):
                raise TypeError(f"{cls.__name__} must declare {name}")
        if cls.key_field not in cls.model_fields:
            raise TypeError(f"{cls.__name__}.key_field {cls.key_field!r} is not a field")
        if cls.webhook and not (cls.label_en and cls.summary_zh):
            raise TypeError(
                f"{cls.__name__} is offered by webhook: declare label_en and summary_zh"
            )

    @classmethod
    def summary_en(cls) -> str:
        """What the event means and when it is sent, in English: the docstring's first
        paragraph on one line."""
        return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents `type`: `cn.iims.<topic>.v<version>`."""
        return f"{TYPE_PREFIX}{cls.topic}.v{cls.type_version}"

    @classmethod
    def ce_source(cls) -> str:
        """The CloudEvents `source` of every event of this type: `/iims/<producer>`."""
        return f"{SOURCE_PREFIX}{cls.producer}"

    @classmethod
    def parse(cls, data: Any) -> Self:
        """Validate a received `data` object (a dict, or JSON text/bytes) into this contract.
        Raises `pydantic.ValidationError` for anything that does not satisfy it."""
        if isinstance(data, str | bytes | bytearray):
            return cls.model_validate_json(data)
        return cls.model_validate(data)

    def kafka_key(self) -> str:
        """The Kafka key (and CloudEvents `subject`): the id of the aggregate."""
        return str(getattr(self, self.key_field))

    def payload(self) -> dict[str, Any]:
        """The JSON-ready `data` of the CloudEvent (every field, `None` included)."""
        return self.model_dump(mode="json")


def utc_date(value: dt.datetime) -> dt.date:
    """The calendar date of an aware timestamp in UTC (for `*_on` fields)."""
    return value.astimezone(dt.UTC).date()


__all__ = [
    "UUID",
    "EventContract",
    "IndustryCode",
    "OptionalText",
    "Period",
    "ProvinceCode",
    "Text",
    "Uscc",
    "Year",
]
