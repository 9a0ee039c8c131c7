"""Views the users asked for: national and provincial dashboards (from the gateway's read
model), webhooks for provincial systems. Routes only translate: parse, call the use case
(`gateway.service.dashboards`, `subscriptions`), render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from gateway.api.security import CurrentPrincipal
from gateway.db.tables import WebhookSubscription
from gateway.service import dashboards, subscriptions
from gateway.service.dto import (
    DeliveryOut,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    WebhookEventTypeOut,
)
from gateway.service.labels import LabelCatalogue
from iims_common.http import Session, json_response
from iims_common.i18n import CONTENT_LANGUAGE, locale_var
from iims_common.pagination import Page, Pagination, page_of
from iims_common.personal_data import PersonalDataVault
from iims_common.ratelimit import RateLimit
from iims_common.schemas import Output

router = APIRouter(prefix="/api/v1")
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
    return await dashboards.national(session, principal)


@router.get(
    "/dashboards/provinces/{province_code}",
    response_model=DashboardOut,
    tags=["dashboards 统计看板"],
)
async def get_provincial_dashboard(
    province_code: str, principal: CurrentPrincipal, session: Session
) -> dict[str, Any]:
    """省级看板: the same numbers for one province (a province sees only its own)."""
    return await dashboards.provincial(session, principal, province_code)


@router.get("/public/figures", response_model=PublicFigures, tags=["public 公开查询与公示"])
async def get_public_figures(request: Request, session: Session) -> dict[str, Any]:
    """贯标工作数据: per batch, pilots against the quota and certified enterprises against the
    target, and the people trained and qualified — the national totals only (no login; per
    client address rate limit)."""
    limiter: RateLimit = request.app.state.limits["public"]
    await limiter.check(request, "public/figures")
    return await dashboards.public_figures(session)


# --- webhooks ------------------------------------------------------------------------------


def vault(request: Request) -> PersonalDataVault:
    if not hasattr(request.app.state, "vault"):
        request.app.state.vault = PersonalDataVault.from_settings(request.app.state.settings)
    v: PersonalDataVault = request.app.state.vault
    return v


Vault = Annotated[PersonalDataVault, Depends(vault)]


@router.get(
    "/labels",
    tags=["reference data 参考数据"],
    summary="每个枚举的标签 (labels of every enumeration, in the caller's language)",
    operation_id="listLabels",
)
async def list_labels(
    principal: CurrentPrincipal, request: Request, response: Response
) -> dict[str, dict[str, str]]:
    """Every enumeration of the platform (statuses, kinds, severities, roles, the
    requirement clauses, …): kind (the schema's enum name, e.g. `PilotStatus`) → code →
    label, in Chinese, or English with `Accept-Language: en`. Composed from every service's
    own labels (defined beside its enums) and the gateway's; cached for 5 minutes."""
    labels: LabelCatalogue = request.app.state.labels
    locale = locale_var.get()
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Vary"] = "Accept-Language"
    response.headers["Content-Language"] = CONTENT_LANGUAGE[locale]
    return await labels.get(locale)


@router.get(
    "/webhook-event-types",
    response_model=list[WebhookEventTypeOut],
    tags=["webhooks 事件推送"],
    summary="可订阅的事件类型 (the event types a webhook may subscribe to)",
)
async def list_webhook_event_types(principal: CurrentPrincipal) -> list[WebhookEventTypeOut]:
    """The event types a subscription's `event_types` may name, in catalogue order, with their
    names and descriptions in the caller's language (Chinese; English with Accept-Language:
    en) — the console's choices come from here, not from a copy. Any signed-in caller may
    read it (the same facts are public in `/asyncapi.json`)."""
    return subscriptions.event_types(locale_var.get())


@router.post(
    "/webhooks", status_code=201, response_model=SubscriptionCreated, tags=["webhooks 事件推送"]
)
async def create_webhook(
    body: SubscriptionIn, principal: CurrentPrincipal, session: Session, request: Request, v: Vault
) -> JSONResponse:
    """Subscribe a URL to event types of your province; deliveries are signed per Standard
    Webhooks (webhook-id / webhook-timestamp / webhook-signature) with the secret returned
    here once. Loopback and private addresses are refused unless the operator allows them."""
    settings = request.app.state.settings
    out = await subscriptions.create(session, principal, body, settings=settings, vault=v)
    return json_response(out, 201, location=f"/api/v1/webhooks/{out.id}")


@router.get("/webhooks", response_model=Page[SubscriptionOut], tags=["webhooks 事件推送"])
async def list_webhooks(
    principal: CurrentPrincipal, session: Session, page: Pagination
) -> Page[SubscriptionOut]:
    stmt = subscriptions.query(principal)
    return await page_of(session, stmt, WebhookSubscription.id, page, SubscriptionOut)


@router.delete("/webhooks/{subscription_id}", status_code=204, tags=["webhooks 事件推送"])
async def delete_webhook(
    subscription_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> Response:
    await subscriptions.delete(session, principal, subscription_id)
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
    return await subscriptions.deliveries(session, principal, subscription_id, page)


@router.post(
    "/webhook-deliveries/{delivery_id}/redelivery",
    response_model=DeliveryOut,
    tags=["webhooks 事件推送"],
)
async def redeliver_webhook_delivery(
    delivery_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> DeliveryOut:
    """Send a delivery again (e.g. after fixing the receiver)."""
    return await subscriptions.redeliver(session, principal, delivery_id)


# --- composed views ------------------------------------------------------------------------


@router.get("/enterprise-overviews/{enterprise_id}", tags=["views 综合视图"])
async def get_enterprise_overview(
    enterprise_id: uuid.UUID, principal: CurrentPrincipal, request: Request, session: Session
) -> dict[str, Any]:
    """企业全景: profile, pilot status, latest assessment result, the people trained and their
    qualifications, applications, audits and certificates — in one call, each part within
    the caller's scope (an enterprise outside it is 404) — and the 贯标试点支持 it received
    (`funds`, from the fund events the gateway consumes)."""
    upstreams = request.app.state.upstreams
    return await dashboards.enterprise_overview(session, principal, upstreams, enterprise_id)


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
    upstreams = request.app.state.upstreams
    filename, content = await dashboards.progress_report(principal, upstreams, province_code)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
