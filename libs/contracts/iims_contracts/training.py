"""Events the training service publishes (贯标培训与资质)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from iims_contracts.base import EventContract, ProvinceCode

QualificationKind = Literal["consultant", "auditor", "lead_auditor"]

_PERSON = "99999999-9999-4999-8999-999999999999"
_ORG = "44444444-4444-4444-8444-444444444444"


class QualificationGranted(EventContract):
    """A person was granted a qualification (资质授予). Keyed by the person id. Audit grows
    its auditor pool from auditor and lead-auditor grants; the registry keeps agency staff
    holding 咨询资质 for the recommended-consultancy lists."""

    topic: ClassVar[str] = "qualification-granted"
    key_field: ClassVar[str] = "person_id"
    producer: ClassVar[str] = "training"
    consumers: ClassVar[tuple[str, ...]] = ("audit", "registry", "gateway")
    label: ClassVar[str] = "资质授予"
    example: ClassVar[dict[str, Any]] = {
        "qualification_no": "IIMS-A-2025-000123",
        "person_id": _PERSON,
        "person_name": "张三",
        "kind": "auditor",
        "organization_id": _ORG,
        "province_code": "320000",
        "granted_on": "2025-05-10",
        "valid_until": "2028-05-09",
    }

    qualification_no: str = Field(min_length=1, max_length=40, description="资质证书编号")
    person_id: UUID = Field(description="人员 id (the Kafka key)")
    person_name: str = Field(min_length=1, max_length=100, description="持证人姓名")
    kind: QualificationKind = Field(
        description="consultant 咨询资质, auditor 认定资质, lead_auditor 认定资质（审核组长）"
    )
    organization_id: UUID | None = Field(
        default=None, description="the organization (agency) the person works for"
    )
    province_code: ProvinceCode | None = Field(default=None, description="所在省份 (GB/T 2260)")
    granted_on: dt.date = Field(description="授予日期 (ISO date)")
    valid_until: dt.date = Field(description="有效期至 (ISO date, inclusive)")


class QualificationRevoked(EventContract):
    """A qualification was revoked (资质撤销). Keyed by the person id."""

    topic: ClassVar[str] = "qualification-revoked"
    key_field: ClassVar[str] = "person_id"
    producer: ClassVar[str] = "training"
    consumers: ClassVar[tuple[str, ...]] = ("audit", "registry")
    label: ClassVar[str] = "资质撤销"
    example: ClassVar[dict[str, Any]] = {
        "qualification_no": "IIMS-A-2025-000123",
        "person_id": _PERSON,
        "reason": "违反审核纪律",
    }

    qualification_no: str = Field(min_length=1, max_length=40, description="资质证书编号")
    person_id: UUID = Field(description="人员 id (the Kafka key)")
    reason: str | None = Field(default=None, max_length=2000, description="撤销原因")


class TrainingCompleted(EventContract):
    """A participant completed every module's hours of a session (已完成学时). Keyed by the
    person id; the dashboards count it as trained."""

    topic: ClassVar[str] = "training-completed"
    key_field: ClassVar[str] = "person_id"
    producer: ClassVar[str] = "training"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "培训完成"
    example: ClassVar[dict[str, Any]] = {
        "enrollment_id": "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa",
        "person_id": _PERSON,
        "programme_code": "enterprise-phase-1",
        "session_id": "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb",
        "organization_id": _ORG,
        "province_code": "320000",
    }

    enrollment_id: UUID = Field(description="报名 id")
    person_id: UUID = Field(description="人员 id (the Kafka key)")
    programme_code: str = Field(
        min_length=1, max_length=60, description="培训项目代码, e.g. enterprise-phase-1"
    )
    session_id: UUID = Field(description="培训班次 id")
    organization_id: UUID | None = Field(default=None, description="参训人员所在单位 id")
    province_code: ProvinceCode | None = Field(default=None, description="所在省份 (GB/T 2260)")
