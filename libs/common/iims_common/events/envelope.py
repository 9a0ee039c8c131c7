"""CloudEvents 1.0 structured-JSON envelope, as every topic of the platform carries it.

Kafka protocol binding, structured content mode: the message value is the JSON event, the
`content-type` header says `application/cloudevents+json; charset=UTF-8`, and there are no
`ce_` headers (a binding-aware reader takes any message with `ce_` headers and no
cloudevents content type for binary mode). The Kafka key is the aggregate id; the trace
context travels in the `traceparent` header.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from iims_contracts.base import TYPE_PREFIX

STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
STRUCTURED_HEADERS = {"content-type": STRUCTURED_CONTENT_TYPE}


def event_type_for(topic: str, version: int = 1) -> str:
    """`pilot-enrolled` -> `cn.iims.pilot-enrolled.v1`."""
    return f"{TYPE_PREFIX}{topic}.v{version}"


def topic_for_type(event_type: str) -> str:
    """`cn.iims.pilot-enrolled.v1` -> `pilot-enrolled`."""
    body = event_type.removeprefix(TYPE_PREFIX)
    return body.rsplit(".v", 1)[0]


class CloudEvent(BaseModel):
    """A received or built CloudEvent (structured JSON); `data` stays a dict here and is
    parsed by the consumer into the contract of the event's `type`."""

    model_config = ConfigDict(extra="allow")

    specversion: str = Field(pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    subject: str | None = None
    time: dt.datetime | None = None
    datacontenttype: str | None = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_bytes(cls, raw: bytes | None) -> CloudEvent:
        if raw is None:
            raise ValueError("empty message")
        return cls.model_validate(json.loads(raw))

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()
