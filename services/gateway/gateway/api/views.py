"""Views the users asked for: national and provincial dashboards (from the gateway's read
model), webhooks for provincial systems."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field, HttpUrl, WithJsonSchema, field_validator

from gateway.api.security import CurrentPrincipal
from gateway.db.tables import WebhookAttempt, WebhookDelivery, WebhookSubscription
from gateway.domain.credentials import Principal
from gateway.domain.webhooks import EVENT_TYPES, event_type_catalogue
from gateway.service import dashboard, reports
from gateway.service import webhooks as webhook_service
from iims_common.db import utcnow
from iims_common.errors import Forbidden, NotFound
from iims_common.http import Session, json_response
from iims_common.i18n import _
from iims_common.identifiers import ProvinceLevelCode, fold_identifier
from iims_common.identity import Role
from iims_common.pagination import Page, Pagination, paginate
from iims_common.personal_data import PersonalDataVault
from iims_common.ratelimit import RateLimit
from iims_common.schemas import Input, Output
from iims_contracts import PilotEnrolled

router = APIRouter(prefix="/api/v1")
NATIONAL_ROLES = (Role.ministry, Role.management_org)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PlanCounts(Output):
    submitted: int
    late: int
    missing: int | None = Field(description="null until the batch's plan deadline has passed")


class ReportCounts(Output):
    latest_period: str | None = Field(description="YYYY-MM")
    submitted: int
    missing: int


class BatchFigures(Output):
    batch_id: str
    year: int
    name: str | None
    recommended: int
    pilots: int
    pilot_quota: int | None
    pilots_by_status: dict[str, int]
    assessments_done: int
    average_index: float | None
    audits_scheduled: int
    audits_completed: int
    certified: int
    certification_target: int | None
    province_plans: PlanCounts
    progress_reports: ReportCounts


class TaskCounts(Output):
    total: int
    done: int
    done_late: int
    overdue: int = Field(description="not done after the due date, as of today")
    open: int


class ReportingCounts(Output):
    latest_period: str | None = Field(description="YYYY-MM of the latest periodic 报送")
    received: int
    late: int
    missing: int


class MeetingBrief(Output):
    title: str
    kind: str
    province_code: str | None
    starts_on: dt.date | None
    status: str


class MeetingCounts(Output):
    total: int
    by_status: dict[str, int]
    registered: int
    attended: int
    next: list[MeetingBrief]


class FundCounts(Output):
    allocated_yuan: int
    disbursed_yuan: int
    allocations: int


class ProgrammeYearFigures(Output):
    """The programme's own work in a year (之二/之四 tasks, 报送, meetings, funds)."""

    year: int
    tasks: TaskCounts
    reporting: ReportingCounts
    meetings: MeetingCounts
    funds: FundCounts


class DashboardOut(Output):
    province_code: str | None = Field(description="null for the national dashboard")
    batches: list[BatchFigures]
    programme: list[ProgrammeYearFigures] = Field(
        description="per year: tasks late, periodic 报送, meetings, funds (a province: its own)"
    )
    people_trained: int
    people_qualified: dict[str, int] = Field(description="by qualification kind")


class PublicBatchFigures(Output):
    year: int
    name: str | None
    recommended: int
    pilots: int
    pilot_quota: int | None
    certified: int
    certification_target: int | None


class PublicFigures(Output):
    """The programme in figures, as the public home page shows them (no login)."""

    batches: list[PublicBatchFigures]
    people_trained: int
    people_qualified: dict[str, int]


@router.get("/dashboards/national", response_model=DashboardOut, tags=["dashboards 统计看板"])
async def get_national_dashboard(principal: CurrentPrincipal, session: Session) -> dict[str, Any]:
    """全国看板 per batch: recommended, pilots vs quota, by status, assessments and average
    index, audits, certified vs target, province plans and progress reports; trained and
    qualified people."""
    if principal.caller.role not in NATIONAL_ROLES:
        raise Forbidden(_("The national dashboard is for the ministry and the management org"))
    return await dashboard.national(session, utcnow().date())


@router.get(
    "/dashboards/provinces/{province_code}",
    response_model=DashboardOut,
    tags=["dashboards 统计看板"],
)
async def get_provincial_dashboard(
    province_code: str, principal: CurrentPrincipal, session: Session
) -> dict[str, Any]:
    """省级看板: the same numbers for one province (a province sees only its own)."""
    caller = principal.caller
    province_code = fold_identifier(province_code)
    await dashboard.require_known_province(province_code)
    if caller.role not in NATIONAL_ROLES and not (
        caller.role is Role.province and caller.province_code == province_code
    ):
        raise NotFound(_("No dashboard for province {province_code}", province_code=province_code))
    return await dashboard.provincial(session, province_code, utcnow().date())


@router.get("/public/figures", response_model=PublicFigures, tags=["public 公开查询与公示"])
async def get_public_figures(request: Request, session: Session) -> dict[str, Any]:
    """贯标工作数据: per batch, pilots against the quota and certified enterprises against the
    target, and the people trained and qualified — the national totals only (no login; per
    client address rate limit)."""
    limiter: RateLimit = request.app.state.limits["public"]
    await limiter.check(request, "public/figures")
    return await dashboard.national(session, utcnow().date())


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
    status: str
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
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: Any
    delivered_at: Any
    log: list[AttemptOut] = []


def vault(request: Request) -> PersonalDataVault:
    if not hasattr(request.app.state, "vault"):
        request.app.state.vault = PersonalDataVault.from_settings(request.app.state.settings)
    v: PersonalDataVault = request.app.state.vault
    return v


Vault = Annotated[PersonalDataVault, Depends(vault)]


def _webhook_scope(principal: Principal) -> sa.ColumnElement[bool]:
    if principal.admin:
        return sa.true()
    if principal.caller.role is Role.province and principal.caller.province_code:
        return WebhookSubscription.province_code == principal.caller.province_code
    raise Forbidden(_("Webhooks are for provinces (地方工信主管部门) and administrators"))


async def _subscription(
    session: Session, principal: Principal, subscription_id: uuid.UUID
) -> WebhookSubscription:
    row = (
        await session.scalars(
            sa.select(WebhookSubscription).where(
                WebhookSubscription.id == subscription_id, _webhook_scope(principal)
            )
        )
    ).first()
    if row is None:
        raise NotFound(_("Webhook {subscription_id} not found", subscription_id=subscription_id))
    return row


class WebhookEventTypeOut(Output):
    """One event type a webhook subscription may choose (可订阅的事件类型), from the contracts
    package (`iims_contracts`): the only place a topic is named."""

    code: str = Field(
        description=f"the value to put in `event_types` (the topic), e.g. `{PilotEnrolled.topic}`",
        examples=[PilotEnrolled.topic],
    )
    label: str = Field(
        description=f"中文名称, e.g. {PilotEnrolled.label}", examples=[PilotEnrolled.label]
    )
    description: str = Field(
        description="what the event means and when it is sent (the contract's summary)"
    )
    cloudevents_type: str = Field(
        description="the CloudEvents `type` of the deliveries (`cn.iims.<topic>.v<n>`, the "
        "newest version)",
        examples=[PilotEnrolled.event_type()],
    )


@router.get(
    "/webhook-event-types",
    response_model=list[WebhookEventTypeOut],
    tags=["webhooks 事件推送"],
    summary="可订阅的事件类型 (the event types a webhook may subscribe to)",
)
async def list_webhook_event_types(principal: CurrentPrincipal) -> list[WebhookEventTypeOut]:
    """The event types a subscription's `event_types` may name, in catalogue order, with their
    Chinese labels — the console's choices come from here, not from a copy. Any signed-in
    caller may read it (the same facts are public in `/asyncapi.json`)."""
    return [WebhookEventTypeOut.model_validate(e) for e in event_type_catalogue()]


@router.post(
    "/webhooks", status_code=201, response_model=SubscriptionCreated, tags=["webhooks 事件推送"]
)
async def create_webhook(
    body: SubscriptionIn, principal: CurrentPrincipal, session: Session, request: Request, v: Vault
) -> JSONResponse:
    """Subscribe a URL to event types of your province; deliveries are signed per Standard
    Webhooks (webhook-id / webhook-timestamp / webhook-signature) with the secret returned
    here once. Loopback and private addresses are refused unless the operator allows them."""
    _webhook_scope(principal)
    province = (
        body.province_code
        if principal.admin and body.province_code
        else principal.caller.province_code
    )
    if not province:
        raise Forbidden(_("An administrator must name the province_code"))
    settings = request.app.state.settings
    webhook_service.check_target(str(body.url), settings)
    sub, secret = await webhook_service.subscribe(
        session,
        v,
        province_code=province,
        url=str(body.url),
        event_types=body.event_types,
        created_by=principal.caller.subject,
    )
    out = SubscriptionCreated.model_validate(
        {**SubscriptionOut.model_validate(sub).model_dump(), "secret": secret}
    )
    return json_response(out, 201, location=f"/api/v1/webhooks/{sub.id}")


@router.get("/webhooks", response_model=Page[SubscriptionOut], tags=["webhooks 事件推送"])
async def list_webhooks(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[SubscriptionOut]:
    stmt = sa.select(WebhookSubscription).where(_webhook_scope(principal))
    rows, cursor = await paginate(session, stmt, WebhookSubscription.id, page)
    return Page[SubscriptionOut](
        items=[SubscriptionOut.model_validate(r) for r in rows], next_cursor=cursor
    )


@router.delete("/webhooks/{subscription_id}", status_code=204, tags=["webhooks 事件推送"])
async def delete_webhook(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> Response:
    row = await _subscription(session, principal, subscription_id)
    await session.delete(row)
    return Response(status_code=204)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response_model=Page[DeliveryOut],
    tags=["webhooks 事件推送"],
)
async def list_deliveries(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[DeliveryOut]:
    """The delivery log: each delivery with every attempt's status code."""
    await _subscription(session, principal, subscription_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    rows, cursor = await paginate(session, stmt, WebhookDelivery.id, page)
    attempts: dict[uuid.UUID, list[AttemptOut]] = {}
    if rows:
        for a in await session.scalars(
            sa.select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_([r.id for r in rows]))
            .order_by(WebhookAttempt.at)
        ):
            attempts.setdefault(a.delivery_id, []).append(AttemptOut.model_validate(a))
    items = []
    for r in rows:
        item = DeliveryOut.model_validate(r)
        item.log = attempts.get(r.id, [])
        items.append(item)
    return Page[DeliveryOut](items=items, next_cursor=cursor)


@router.post(
    "/webhook-deliveries/{delivery_id}/redelivery",
    response_model=DeliveryOut,
    tags=["webhooks 事件推送"],
)
async def redeliver_webhook_delivery(
    delivery_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> DeliveryOut:
    """Send a delivery again (e.g. after fixing the receiver)."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound(_("Delivery {delivery_id} not found", delivery_id=delivery_id))
    await _subscription(session, principal, delivery.subscription_id)
    return DeliveryOut.model_validate(await webhook_service.redeliver(session, delivery))


# --- composed views ------------------------------------------------------------------------


@router.get("/enterprise-overviews/{enterprise_id}", tags=["views 综合视图"])
async def get_enterprise_overview(
    enterprise_id: uuid.UUID, principal: CurrentPrincipal, request: Request, session: Session
) -> dict[str, Any]:
    """企业全景: profile, pilot status, latest assessment result, the people trained and their
    qualifications, applications, audits and certificates — in one call, each part within
    the caller's scope (an enterprise outside it is 404) — and the 贯标试点支持 it received
    (`funds`, from the fund events the gateway consumes)."""
    view = await reports.overview(request.app.state.upstreams, principal.caller, str(enterprise_id))
    view["funds"] = await dashboard.enterprise_funds(session, enterprise_id)
    return view


@router.get(
    "/reports/progress/{province_code}",
    tags=["views 综合视图"],
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "贯标进展情况 (Excel)"}},
)
async def get_province_progress_report(
    province_code: str, principal: CurrentPrincipal, request: Request
) -> Response:
    """贯标进展情况报送: the province's pilots and their status as an Excel file with Chinese
    headers (a province exports its own; the ministry any)."""
    caller = principal.caller
    province_code = fold_identifier(province_code)
    await dashboard.require_known_province(province_code)
    if caller.role not in NATIONAL_ROLES and not (
        caller.role is Role.province and caller.province_code == province_code
    ):
        raise NotFound(_("No report for province {province_code}", province_code=province_code))
    content = await reports.progress_workbook(request.app.state.upstreams, caller, province_code)
    filename = f"progress-{province_code}-{utcnow().date().isoformat()}.xlsx"
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
