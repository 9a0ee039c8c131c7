"""Events the audit service publishes (认定审核 and certificates). Keyed by the enterprise id:
every event about one enterprise's certification stays in order."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from iims_contracts.base import EventContract, ProvinceCode

AuditKind = Literal["stage1", "stage2", "surveillance", "recertification"]
AuditStatus = Literal["planned", "completed", "cancelled"]
CertificateStatus = Literal["valid", "suspended", "withdrawn", "expired"]

_E = "11111111-1111-4111-8111-111111111111"
_APP = "cccccccc-cccc-4ccc-8ccc-cccccccccccc"
_AUDIT = "dddddddd-dddd-4ddd-8ddd-dddddddddddd"
_BODY = "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee"
_SCOPE = "装备制造的研发设计、生产制造与供应链管理"


class AuditPassed(EventContract):
    """The stage-2 audit of an application passed (审核通过); the certification step opens
    the compliance review. Keyed by the enterprise id."""

    topic: ClassVar[str] = "audit-passed"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "audit"
    consumers: ClassVar[tuple[str, ...]] = ("audit", "gateway")
    label: ClassVar[str] = "审核通过"
    label_en: ClassVar[str | None] = "Audit passed"
    summary_zh: ClassVar[str | None] = "认定申请的现场审核结论为通过时推送，随后进入合规性审查。"
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "application_id": _APP,
        "audit_id": _AUDIT,
        "enterprise_id": _E,
        "certification_body_id": _BODY,
        "scope": _SCOPE,
        "province_code": "320000",
    }

    application_id: UUID = Field(description="认定申请 id")
    audit_id: UUID = Field(description="审核 id (the stage-2 audit)")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    certification_body_id: UUID = Field(description="认定服务机构 id")
    scope: str = Field(min_length=1, max_length=1000, description="认定范围")
    province_code: ProvinceCode | None = Field(default=None, description="企业所在省份")


class CertificateIssued(EventContract):
    """A certificate was issued (颁发认定证书). Keyed by the enterprise id. The registry marks
    the pilot certified."""

    topic: ClassVar[str] = "certificate-issued"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "audit"
    consumers: ClassVar[tuple[str, ...]] = ("registry", "gateway")
    label: ClassVar[str] = "颁发认定证书"
    label_en: ClassVar[str | None] = "Certificate issued"
    summary_zh: ClassVar[str | None] = "作出认定决定、颁发认定证书时推送。"
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "certificate_no": "IIMS-C-2025-00042",
        "enterprise_id": _E,
        "application_id": _APP,
        "certification_body_id": _BODY,
        "province_code": "320000",
        "scope": _SCOPE,
        "issued_on": "2025-11-20",
        "effective_on": "2025-11-20",
        "valid_until": "2028-11-19",
    }

    certificate_no: str = Field(min_length=1, max_length=40, description="证书编号")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    application_id: UUID = Field(description="认定申请 id")
    certification_body_id: UUID = Field(description="认定服务机构 id")
    province_code: ProvinceCode | None = Field(default=None, description="企业所在省份")
    scope: str = Field(min_length=1, max_length=1000, description="认定范围")
    issued_on: dt.date = Field(description="认定决定日期 (ISO date)")
    effective_on: dt.date = Field(description="生效日期 (ISO date)")
    valid_until: dt.date = Field(description="有效期至 (ISO date, inclusive; 3 years)")


class CertificateStatusChanged(EventContract):
    """A certificate's status changed (证书状态变更: 暂停, 撤销, 恢复, 过期). Keyed by the
    enterprise id."""

    topic: ClassVar[str] = "certificate-status-changed"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "audit"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "证书状态变更"
    label_en: ClassVar[str | None] = "Certificate status changed"
    summary_zh: ClassVar[str | None] = "认定证书状态变更（暂停、撤销、恢复、过期）时推送。"
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "certificate_no": "IIMS-C-2025-00042",
        "enterprise_id": _E,
        "province_code": "320000",
        "status": "suspended",
        "reason": "监督审核未按期进行",
    }

    certificate_no: str = Field(min_length=1, max_length=40, description="证书编号")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode | None = Field(default=None, description="企业所在省份")
    status: CertificateStatus = Field(
        description="valid 有效, suspended 暂停, withdrawn 撤销, expired 过期"
    )
    reason: str | None = Field(default=None, max_length=1000, description="变更原因")


class AuditUpdated(EventContract):
    """An audit was planned, completed or cancelled (审核安排与完成), for the dashboards.
    Keyed by the enterprise id."""

    topic: ClassVar[str] = "audit-updated"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "audit"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "审核变更"
    example: ClassVar[dict[str, Any]] = {
        "audit_id": _AUDIT,
        "application_id": _APP,
        "certificate_id": None,
        "kind": "stage2",
        "from_status": "planned",
        "status": "completed",
        "enterprise_id": _E,
        "province_code": "320000",
        "certification_body_id": _BODY,
        "starts_on": "2025-10-08",
        "ends_on": "2025-10-10",
    }

    audit_id: UUID = Field(description="审核 id")
    application_id: UUID | None = Field(default=None, description="认定申请 id (stage 1/2 audits)")
    certificate_id: UUID | None = Field(
        default=None, description="证书 id (surveillance and recertification audits)"
    )
    kind: AuditKind = Field(
        description="stage1 文件审核, stage2 现场审核, surveillance 监督审核, "
        "recertification 再认定审核"
    )
    from_status: AuditStatus | None = Field(
        default=None, description="the status before (None when just planned)"
    )
    status: AuditStatus = Field(description="planned 已安排, completed 已完成, cancelled 已取消")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode | None = Field(default=None, description="企业所在省份")
    certification_body_id: UUID = Field(description="认定服务机构 id")
    starts_on: dt.date = Field(description="审核开始日期")
    ends_on: dt.date = Field(description="审核结束日期")
