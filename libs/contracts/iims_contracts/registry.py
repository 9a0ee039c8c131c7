"""Events the registry publishes: enterprises, agencies and the pilot programme (企业与贯标试点)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from iims_contracts.base import EventContract, IndustryCode, ProvinceCode, Uscc, Year

EnterpriseSize = Literal["large", "medium", "small", "micro"]
AgencyKind = Literal["consultancy", "certification_body"]
AgencyStatus = Literal["applied", "authorized", "suspended", "revoked"]
PilotStatus = Literal["enrolled", "implementing", "basically_compliant", "certified", "withdrawn"]

_E = "11111111-1111-4111-8111-111111111111"  # example enterprise id
_B = "22222222-2222-4222-8222-222222222222"  # example batch id
_P = "33333333-3333-4333-8333-333333333333"  # example pilot id
_A = "44444444-4444-4444-8444-444444444444"  # example agency id


class EnterpriseRegistered(EventContract):
    """An enterprise was registered, or its registered facts changed (企业登记). Keyed by the
    enterprise id. Consumers keep the copy of the enterprise they need."""

    topic: ClassVar[str] = "enterprise-registered"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("assessment", "audit", "training", "gateway")
    label: ClassVar[str] = "企业登记"
    label_en: ClassVar[str | None] = "Enterprise registered"
    summary_zh: ClassVar[str | None] = (
        "企业完成登记，或其登记信息（名称、所在省份、行业、规模）发生变更时推送。"
    )
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "enterprise_id": _E,
        "uscc": "91320102MA1XXXXXX5",
        "name": "江苏某某装备制造有限公司",
        "province_code": "320000",
        "industry_code": "C34",
        "size": "medium",
    }

    enterprise_id: UUID = Field(description="企业 id (the aggregate; the Kafka key)")
    uscc: Uscc
    name: str = Field(min_length=1, max_length=200, description="企业名称 (registered name)")
    province_code: ProvinceCode
    industry_code: IndustryCode
    size: EnterpriseSize = Field(
        description="企业规模 (GB/T 4754 size class): large 大型, medium 中型, small 小型, micro 微型"
    )


class PilotEnrolled(EventContract):
    """An enterprise was selected as a pilot of a batch (入选贯标试点). Keyed by the enterprise
    id. Assessment opens the baseline assessment, training invites to phase-1 training, audit
    marks the enterprise eligible and learns its consultancy (impartiality)."""

    topic: ClassVar[str] = "pilot-enrolled"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("assessment", "training", "audit", "gateway")
    label: ClassVar[str] = "入选贯标试点"
    label_en: ClassVar[str | None] = "Pilot enrolled"
    summary_zh: ClassVar[str | None] = (
        "企业入选某一批次的贯标试点时推送（随后开展基线评估和贯标培训）。"
    )
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "pilot_id": _P,
        "batch_id": _B,
        "year": 2025,
        "enterprise_id": _E,
        "province_code": "320000",
        "industry_code": "C34",
        "consultancy_id": _A,
    }

    pilot_id: UUID = Field(description="试点 id")
    batch_id: UUID = Field(description="批次 id")
    year: Year
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode
    industry_code: IndustryCode
    consultancy_id: UUID | None = Field(
        default=None, description="贯标服务机构 (consultancy agency) id, if one is engaged"
    )


class AgencyUpdated(EventContract):
    """An agency (consultancy 贯标服务机构 or certification body 认定服务机构) was created or
    changed. Keyed by the agency id."""

    topic: ClassVar[str] = "agency-updated"
    key_field: ClassVar[str] = "agency_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("audit",)
    label: ClassVar[str] = "服务机构变更"
    example: ClassVar[dict[str, Any]] = {
        "agency_id": _A,
        "uscc": "12320000MB1XXXXXX3",
        "name": "江苏贯标咨询有限公司",
        "kind": "consultancy",
        "status": "authorized",
        "province_code": "320000",
    }

    agency_id: UUID = Field(description="机构 id (the Kafka key)")
    uscc: Uscc
    name: str = Field(min_length=1, max_length=200, description="机构名称")
    kind: AgencyKind = Field(
        description="consultancy 贯标服务机构 | certification_body 认定服务机构"
    )
    status: AgencyStatus = Field(
        description="applied 已申请, authorized 已授权, suspended 暂停, revoked 已撤销"
    )
    province_code: ProvinceCode


class QuotaChange(BaseModel):
    """When and why a batch's pilot quota changed (名额调整)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    from_quota: int | None = Field(default=None, ge=0, description="名额 before (None: new batch)")
    to_quota: int = Field(ge=0, description="名额 after")
    changed_on: dt.date = Field(description="调整日期")
    reason: str = Field(min_length=1, max_length=2000, description="调整原因")


class BatchUpdated(EventContract):
    """A batch (批次) of the programme was created or changed: its quotas and plan deadline.
    Keyed by the batch id."""

    topic: ClassVar[str] = "batch-updated"
    key_field: ClassVar[str] = "batch_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "批次变更"
    example: ClassVar[dict[str, Any]] = {
        "batch_id": _B,
        "year": 2025,
        "name": "2025年贯标试点",
        "pilot_quota": 500,
        "certification_target": 200,
        "plan_deadline": "2025-03-31",
    }

    batch_id: UUID = Field(description="批次 id (the Kafka key)")
    year: Year
    name: str = Field(min_length=1, max_length=200, description="批次名称")
    pilot_quota: int = Field(ge=0, description="试点名额 (enterprises)")
    certification_target: int = Field(ge=0, description="认定目标 (certificates the batch aims at)")
    plan_deadline: dt.date | None = Field(
        default=None, description="省级工作计划报送截止日期 (ISO date)"
    )
    quota_change: QuotaChange | None = Field(
        default=None,
        description="set when this update changed the pilot quota: from, to, when and why "
        "(added to v1 as an optional field)",
    )


class RecommendationMade(EventContract):
    """A recommending unit recommended an enterprise for a batch (推荐). Keyed by the
    enterprise id."""

    topic: ClassVar[str] = "recommendation-made"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "企业推荐"
    example: ClassVar[dict[str, Any]] = {
        "recommendation_id": "55555555-5555-4555-8555-555555555555",
        "batch_id": _B,
        "enterprise_id": _E,
        "province_code": "320000",
    }

    recommendation_id: UUID = Field(description="推荐 id")
    batch_id: UUID = Field(description="批次 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode


class PilotStatusChanged(EventContract):
    """A pilot moved in its life cycle (试点状态变更). Keyed by the enterprise id."""

    topic: ClassVar[str] = "pilot-status-changed"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "试点状态变更"
    example: ClassVar[dict[str, Any]] = {
        "pilot_id": _P,
        "batch_id": _B,
        "enterprise_id": _E,
        "province_code": "320000",
        "from_status": "enrolled",
        "status": "implementing",
        "reason": None,
    }

    pilot_id: UUID = Field(description="试点 id")
    batch_id: UUID = Field(description="批次 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode
    from_status: PilotStatus | None = Field(
        default=None, description="the status before (None when the pilot was just created)"
    )
    status: PilotStatus = Field(
        description="enrolled 已入选, implementing 贯标实施中, basically_compliant 基本达标, "
        "certified 已认定, withdrawn 已退出"
    )
    reason: str | None = Field(default=None, max_length=2000, description="变更原因")


class ProgressReported(EventContract):
    """A pilot's implementation progress was reported (进展报告). Keyed by the enterprise id."""

    topic: ClassVar[str] = "progress-reported"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "进展报告"
    example: ClassVar[dict[str, Any]] = {
        "report_id": "66666666-6666-4666-8666-666666666666",
        "pilot_id": _P,
        "batch_id": _B,
        "enterprise_id": _E,
        "province_code": "320000",
        "period": "2025-06",
        "percent": 40,
    }

    report_id: UUID = Field(description="报告 id")
    pilot_id: UUID = Field(description="试点 id")
    batch_id: UUID = Field(description="批次 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode
    period: str = Field(
        pattern=r"^[0-9]{4}-[0-9]{2}$", description="报告期 (month, YYYY-MM)", examples=["2025-06"]
    )
    percent: int = Field(ge=0, le=100, description="完成进度 (percent, 0–100)")


class ProvincePlanSubmitted(EventContract):
    """A province submitted its work plan for a batch (省级工作计划报送). Keyed by the batch
    id."""

    topic: ClassVar[str] = "province-plan-submitted"
    key_field: ClassVar[str] = "batch_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "省级工作计划报送"
    example: ClassVar[dict[str, Any]] = {
        "plan_id": "77777777-7777-4777-8777-777777777777",
        "batch_id": _B,
        "province_code": "320000",
        "submitted_on": "2025-03-20",
        "late": False,
    }

    plan_id: UUID = Field(description="计划 id")
    batch_id: UUID = Field(description="批次 id (the Kafka key)")
    province_code: ProvinceCode
    submitted_on: dt.date = Field(description="报送日期 (ISO date, UTC)")
    late: bool = Field(description="逾期报送: submitted after the batch's plan deadline")
