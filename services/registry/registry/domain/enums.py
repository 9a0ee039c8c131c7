"""Enumerations of the registry, each with its Chinese label for user-facing text."""

from __future__ import annotations

from enum import StrEnum

from iims_common.enums import LabelledEnum as CommonLabelledEnum
from iims_common.standard import REQUIREMENT_CLAUSES


class LabelledEnum(CommonLabelledEnum):
    """A registry code with its Chinese label (`LABELS`); parsing accepts either."""

    @property
    def label(self) -> str:
        return LABELS[self]


class EnterpriseSize(LabelledEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class EnterpriseStatus(LabelledEnum):
    registered = "registered"
    pilot = "pilot"
    certified = "certified"
    deregistered = "deregistered"


class RecommendingUnitKind(LabelledEnum):
    ministry_department = "ministry_department"
    provincial_authority = "provincial_authority"
    central_soe = "central_soe"
    industry_association = "industry_association"


class AgencyKind(LabelledEnum):
    consultancy = "consultancy"
    certification_body = "certification_body"


class AgencyStatus(LabelledEnum):
    applied = "applied"
    authorized = "authorized"
    suspended = "suspended"
    revoked = "revoked"


class PilotStatus(LabelledEnum):
    enrolled = "enrolled"
    implementing = "implementing"
    basically_compliant = "basically_compliant"
    certified = "certified"
    withdrawn = "withdrawn"


class PlanStatus(LabelledEnum):
    submitted = "submitted"
    submitted_late = "submitted_late"
    pending = "pending"
    late = "late"


LABELS: dict[StrEnum, str] = {
    EnterpriseSize.large: "大型",
    EnterpriseSize.medium: "中型",
    EnterpriseSize.small: "小型",
    EnterpriseSize.micro: "微型",
    EnterpriseStatus.registered: "已登记",
    EnterpriseStatus.pilot: "贯标试点",
    EnterpriseStatus.certified: "已认定",
    EnterpriseStatus.deregistered: "已注销",
    RecommendingUnitKind.ministry_department: "部内司局",
    RecommendingUnitKind.provincial_authority: "地方工信主管部门",
    RecommendingUnitKind.central_soe: "中央企业集团",
    RecommendingUnitKind.industry_association: "行业协会",
    AgencyKind.consultancy: "贯标服务机构",
    AgencyKind.certification_body: "认定服务机构",
    AgencyStatus.applied: "已申请",
    AgencyStatus.authorized: "已授权",
    AgencyStatus.suspended: "暂停",
    AgencyStatus.revoked: "已撤销",
    PilotStatus.enrolled: "已入选",
    PilotStatus.implementing: "贯标实施中",
    PilotStatus.basically_compliant: "基本达标",
    PilotStatus.certified: "已认定",
    PilotStatus.withdrawn: "已退出",
    PlanStatus.submitted: "按时报送",
    PlanStatus.submitted_late: "逾期报送",
    PlanStatus.pending: "待报送",
    PlanStatus.late: "逾期未报",
}


def all_labels() -> dict[str, dict[str, str]]:
    """Every enum's values with Chinese labels (served to the frontend), and the requirement
    clauses 4.1–8.6 of GB/T 23001 (`RequirementClause`: number → title) the conformity
    self-check and findings are keyed by."""
    enums: list[type[LabelledEnum]] = [
        EnterpriseSize,
        EnterpriseStatus,
        RecommendingUnitKind,
        AgencyKind,
        AgencyStatus,
        PilotStatus,
        PlanStatus,
    ]
    labels = {e.__name__: {m.value: m.label for m in e} for e in enums}
    labels["RequirementClause"] = dict(REQUIREMENT_CLAUSES)
    return labels
