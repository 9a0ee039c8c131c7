"""CloudEvents 1.0 structured-JSON envelope, as every topic of the platform carries it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TYPE_PREFIX = "cn.iims."


def event_type_for(topic: str, version: int = 1) -> str:
    """`pilot-enrolled` -> `cn.iims.pilot-enrolled.v1`."""
    return f"{TYPE_PREFIX}{topic}.v{version}"


def topic_for_type(event_type: str) -> str:
    """`cn.iims.pilot-enrolled.v1` -> `pilot-enrolled`."""
    body = event_type.removeprefix(TYPE_PREFIX)
    return body.rsplit(".v", 1)[0]


class CloudEvent(BaseModel):
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
