"""Enumerations of the training service, with Chinese labels."""

from __future__ import annotations

from enum import StrEnum

from iims_common.enums import LabelledEnum


class _Labelled(LabelledEnum):
    """Codes of the training service; `label` is the Chinese text (`LABELS`)."""

    @property
    def label(self) -> str:
        return LABELS.get(self, self.value)


class QualificationKind(_Labelled):
    consultant = "consultant"  # 咨询资质
    auditor = "auditor"  # 认定资质
    lead_auditor = "lead_auditor"  # 认定资质（审核组长）


class OrganizationKind(_Labelled):
    enterprise = "enterprise"
    agency = "agency"
    authority = "authority"


class EnrollmentStatus(_Labelled):
    enrolled = "enrolled"
    waitlisted = "waitlisted"
    attended = "attended"
    passed = "passed"
    failed = "failed"
    cancelled = "cancelled"


SEAT_HOLDING = frozenset(
    {
        EnrollmentStatus.enrolled,
        EnrollmentStatus.attended,
        EnrollmentStatus.passed,
        EnrollmentStatus.failed,
    }
)

LABELS: dict[StrEnum, str] = {
    QualificationKind.consultant: "咨询资质",
    QualificationKind.auditor: "认定资质",
    QualificationKind.lead_auditor: "认定资质（审核组长）",
    EnrollmentStatus.enrolled: "已报名",
    EnrollmentStatus.waitlisted: "候补",
    EnrollmentStatus.attended: "已完成学时",
    EnrollmentStatus.passed: "考核通过",
    EnrollmentStatus.failed: "考核未通过",
    EnrollmentStatus.cancelled: "已取消",
    OrganizationKind.enterprise: "企业",
    OrganizationKind.agency: "服务机构",
    OrganizationKind.authority: "主管部门",
}
