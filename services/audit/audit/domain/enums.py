"""States and kinds of the 认定 process, with their labels (Chinese, English)."""

from __future__ import annotations

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import _


class ApplicationStatus(LabelledEnum):
    accepted = "accepted"  # 已受理
    stage1_planned = "stage1_planned"  # 文件审核已安排
    stage1_completed = "stage1_completed"  # 文件审核完成
    stage2_planned = "stage2_planned"  # 现场审核已安排
    stage2_completed = "stage2_completed"  # 现场审核完成, 不符合项验证中
    stage2_required = "stage2_required"  # 严重不符合项逾期未关闭, 须重新现场审核
    audit_passed = "audit_passed"  # 审核结论: 通过
    under_review = "under_review"  # 合规性审查
    in_notice = "in_notice"  # 公示
    certified = "certified"  # 已颁证
    rejected = "rejected"  # 未通过审查/异议成立
    withdrawn = "withdrawn"  # 企业撤回

    __labels__ = {
        accepted: _("Application accepted"),
        stage1_planned: _("Document review planned"),
        stage1_completed: _("Document review completed"),
        stage2_planned: _("On-site audit planned"),
        stage2_completed: _("On-site audit completed (verifying nonconformities)"),
        stage2_required: _("New on-site audit required"),
        audit_passed: _("Audit passed"),
        under_review: _("Compliance review"),
        in_notice: _("In public notice"),
        certified: _("Certificate issued"),
        rejected: _("Not certified"),
        withdrawn: _("Withdrawn by the enterprise"),
    }


class AuditKind(LabelledEnum):
    stage1 = "stage1"  # 文件审核
    stage2 = "stage2"  # 现场审核
    surveillance = "surveillance"  # 监督审核
    recertification = "recertification"  # 再认定审核

    __labels__ = {
        stage1: _("Document review"),
        stage2: _("On-site audit"),
        surveillance: _("Surveillance audit"),
        recertification: _("Recertification audit"),
    }


class AuditStatus(LabelledEnum):
    planned = "planned"
    completed = "completed"
    cancelled = "cancelled"

    __labels__ = {
        planned: _("Planned"),
        completed: _("Completed"),
        cancelled: _("Cancelled"),
    }


class TeamRole(LabelledEnum):
    lead = "lead"  # 审核组长
    member = "member"  # 审核员

    __labels__ = {
        lead: _("Lead auditor"),
        member: _("Auditor"),
    }


class Severity(LabelledEnum):
    major = "major"  # 严重不符合
    minor = "minor"  # 一般不符合
    observation = "observation"  # 观察项

    __labels__ = {
        major: _("Major nonconformity"),
        minor: _("Minor nonconformity"),
        observation: _("Observation"),
    }


class FindingStatus(LabelledEnum):
    open = "open"
    plan_submitted = "plan_submitted"
    plan_accepted = "plan_accepted"
    closed = "closed"

    __labels__ = {
        open: _("Awaiting correction"),
        plan_submitted: _("Corrective action plan submitted"),
        plan_accepted: _("Corrective action plan accepted"),
        closed: _("Closed"),
    }


class CertificateStatus(LabelledEnum):
    valid = "valid"  # 有效
    suspended = "suspended"  # 暂停
    withdrawn = "withdrawn"  # 撤销
    expired = "expired"  # 过期

    __labels__ = {
        valid: _("Valid"),
        suspended: _("Suspended"),
        withdrawn: _("Certificate withdrawn"),
        expired: _("Certificate expired"),
    }


class QualificationKind(LabelledEnum):
    consultant = "consultant"
    auditor = "auditor"
    lead_auditor = "lead_auditor"

    __labels__ = {
        consultant: _("Consultant qualification"),
        auditor: _("Auditor qualification"),
        lead_auditor: _("Auditor qualification (lead auditor)"),
    }


class ObjectionStatus(LabelledEnum):
    open = "open"
    upheld = "upheld"  # 异议成立
    dismissed = "dismissed"  # 异议不成立

    __labels__ = {
        open: _("Open"),
        upheld: _("Objection upheld"),
        dismissed: _("Objection dismissed"),
    }


ENUMS: tuple[type[LabelledEnum], ...] = (
    ApplicationStatus,
    AuditKind,
    AuditStatus,
    TeamRole,
    Severity,
    FindingStatus,
    CertificateStatus,
    QualificationKind,
    ObjectionStatus,
)


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """Every audit enum's labels in `locale` (default: the request's language)."""
    return served_labels(ENUMS, locale)
