"""The commands and answers of the gateway's own use cases (API keys, accounts, webhook
subscriptions); `gateway.api.schemas` and the routes re-export them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import ConfigDict, Field, HttpUrl, WithJsonSchema, field_validator, model_validator

from gateway.domain.webhooks import EVENT_TYPES, DeliveryStatus, SubscriptionStatus
from iims_common.i18n import _
from iims_common.identifiers import ProvinceLevelCode
from iims_common.identity import Role
from iims_common.schemas import Input, Output
from iims_contracts import PilotEnrolled

PROVINCE = r"^[0-9]{2}0000$"


ORGANIZATIONAL = (Role.enterprise, Role.consultancy, Role.certification_body, Role.recommender)
# The scope rules below, as JSON Schema (`if`/`then`), so a client's generator or a
# contract fuzzer knows them without a round trip: a province needs its province_code, an
# organization role its organization_id; auditors are people with accounts, never keys.
SCOPE_SCHEMA: dict[str, Any] = {
    "allOf": [
        {
            "if": {"properties": {"role": {"const": Role.province.value}}, "required": ["role"]},
            "then": {
                "required": ["province_code"],
                "properties": {"province_code": {"type": "string"}},
            },
        },
        {
            "if": {
                "properties": {"role": {"enum": [r.value for r in ORGANIZATIONAL]}},
                "required": ["role"],
            },
            "then": {
                "required": ["organization_id"],
                "properties": {"organization_id": {"type": "string", "format": "uuid"}},
            },
        },
    ]
}
KEY_ROLES = [r.value for r in Role if r is not Role.auditor]


class Scoped(Input):
    model_config = ConfigDict(json_schema_extra=SCOPE_SCHEMA)

    role: Annotated[
        Role,
        WithJsonSchema({"type": "string", "enum": KEY_ROLES, "title": "Role"}),
    ]
    province_code: ProvinceLevelCode | None = None
    organization_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _scope_matches_role(self) -> Scoped:
        if self.role is Role.province and not self.province_code:
            raise ValueError(_("a province key/account needs province_code (GB/T 2260)"))
        if self.role in ORGANIZATIONAL and not self.organization_id:
            raise ValueError(_("a {role} key/account needs organization_id", role=self.role.value))
        if self.role is Role.auditor:
            raise ValueError(_("auditors sign in as people (accounts), not with keys"))
        return self


class ApiKeyCreate(Scoped):
    name: Annotated[str, Field(min_length=2, max_length=200)]
    is_admin: bool = False


class ApiKeyOut(Output):
    id: uuid.UUID
    key_id: str
    name: str
    role: Role
    province_code: str | None
    organization_id: uuid.UUID | None
    is_admin: bool
    created_by: str
    created_at: dt.datetime
    rotated_at: dt.datetime | None
    previous_valid_until: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyOut):
    api_key: str = Field(description="shown once: send it as X-API-Key; only a hash is kept")


class AccountCreate(Scoped):
    username: Annotated[str, Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")]
    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=12, max_length=200)]
    is_admin: bool = False


class AccountOut(Output):
    id: uuid.UUID
    username: str
    display_name: str
    role: str
    province_code: str | None
    organization_id: uuid.UUID | None
    is_admin: bool
    locked_until: dt.datetime | None
    disabled: bool
    created_at: dt.datetime


# --- webhooks ------------------------------------------------------------------------------


class SubscriptionIn(Input):
    url: HttpUrl
    event_types: Annotated[
        list[Annotated[str, WithJsonSchema({"type": "string", "enum": list(EVENT_TYPES)})]],
        Field(min_length=1, max_length=len(EVENT_TYPES)),
    ]
    province_code: ProvinceLevelCode | None = Field(
        None, description="administrators only; a province subscribes for itself"
    )

    @field_validator("event_types")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(EVENT_TYPES))
        if unknown:
            raise ValueError(
                _(
                    "unknown event types {unknown}; choose from {known}",
                    unknown=", ".join(unknown),
                    known=", ".join(EVENT_TYPES),
                )
            )
        return value


class SubscriptionOut(Output):
    id: uuid.UUID
    province_code: str
    url: str
    event_types: list[str]
    status: SubscriptionStatus
    disabled_reason: str | None
    created_at: Any


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="whsec_… signing secret, shown once")


class AttemptOut(Output):
    at: Any
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(Output):
    id: uuid.UUID
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: Any
    delivered_at: Any
    log: list[AttemptOut] = []


class WebhookEventTypeOut(Output):
    """One event type a webhook subscription may choose (可订阅的事件类型), from the contracts
    package (`iims_contracts`): the only place a topic is named."""

    code: str = Field(
        description=f"the value to put in `event_types` (the topic), e.g. `{PilotEnrolled.topic}`",
        examples=[PilotEnrolled.topic],
    )
    label: str = Field(
        description=f"its name in the caller's language: {PilotEnrolled.label}, or "
        f"{PilotEnrolled.label_en} with Accept-Language: en",
        examples=[PilotEnrolled.label],
    )
    description: str = Field(
        description="what the event means and when it is sent (the contract's summary), in "
        "the caller's language"
    )
    cloudevents_type: str = Field(
        description="the CloudEvents `type` of the deliveries (`cn.iims.<topic>.v<n>`, the "
        "newest version)",
        examples=[PilotEnrolled.event_type()],
    )
