"""States and kinds of the 认定 process, with their labels (Chinese, English)."""

from __future__ import annotations

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import Message, _


class _Labelled(LabelledEnum):
    """Codes of the 认定 process; the label is `LABELS` (English, Chinese in the catalogue)."""

    @property
    def message(self) -> Message:
        return LABELS[self]


class ApplicationStatus(_Labelled):
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


class AuditKind(_Labelled):
    stage1 = "stage1"  # 文件审核
    stage2 = "stage2"  # 现场审核
    surveillance = "surveillance"  # 监督审核
    recertification = "recertification"  # 再认定审核


class AuditStatus(_Labelled):
    planned = "planned"
    completed = "completed"
    cancelled = "cancelled"


class TeamRole(_Labelled):
    lead = "lead"  # 审核组长
    member = "member"  # 审核员


class Severity(_Labelled):
    major = "major"  # 严重不符合
    minor = "minor"  # 一般不符合
    observation = "observation"  # 观察项


class FindingStatus(_Labelled):
    open = "open"
    plan_submitted = "plan_submitted"
    plan_accepted = "plan_accepted"
    closed = "closed"


class CertificateStatus(_Labelled):
    valid = "valid"  # 有效
    suspended = "suspended"  # 暂停
    withdrawn = "withdrawn"  # 撤销
    expired = "expired"  # 过期


class QualificationKind(_Labelled):
    consultant = "consultant"
    auditor = "auditor"
    lead_auditor = "lead_auditor"


class ObjectionStatus(_Labelled):
    open = "open"
    upheld = "upheld"  # 异议成立
    dismissed = "dismissed"  # 异议不成立


# The labels, defined here once: English text, its Chinese in the shared gettext catalogue
# (`make i18n`). Served in the caller's language at GET /labels (`all_labels`), merged by the
# gateway into GET /api/v1/labels.
LABELS: dict[_Labelled, Message] = {
    ApplicationStatus.accepted: _("Application accepted"),
    ApplicationStatus.stage1_planned: _("Document review planned"),
    ApplicationStatus.stage1_completed: _("Document review completed"),
    ApplicationStatus.stage2_planned: _("On-site audit planned"),
    ApplicationStatus.stage2_completed: _("On-site audit completed (verifying nonconformities)"),
    ApplicationStatus.stage2_required: _("New on-site audit required"),
    ApplicationStatus.audit_passed: _("Audit passed"),
    ApplicationStatus.under_review: _("Compliance review"),
    ApplicationStatus.in_notice: _("In public notice"),
    ApplicationStatus.certified: _("Certificate issued"),
    ApplicationStatus.rejected: _("Not certified"),
    ApplicationStatus.withdrawn: _("Withdrawn by the enterprise"),
    AuditKind.stage1: _("Document review"),
    AuditKind.stage2: _("On-site audit"),
    AuditKind.surveillance: _("Surveillance audit"),
    AuditKind.recertification: _("Recertification audit"),
    AuditStatus.planned: _("Planned"),
    AuditStatus.completed: _("Completed"),
    AuditStatus.cancelled: _("Cancelled"),
    TeamRole.lead: _("Lead auditor"),
    TeamRole.member: _("Auditor"),
    Severity.major: _("Major nonconformity"),
    Severity.minor: _("Minor nonconformity"),
    Severity.observation: _("Observation"),
    FindingStatus.open: _("Awaiting correction"),
    FindingStatus.plan_submitted: _("Corrective action plan submitted"),
    FindingStatus.plan_accepted: _("Corrective action plan accepted"),
    FindingStatus.closed: _("Closed"),
    CertificateStatus.valid: _("Valid"),
    CertificateStatus.suspended: _("Suspended"),
    CertificateStatus.withdrawn: _("Certificate withdrawn"),
    CertificateStatus.expired: _("Certificate expired"),
    QualificationKind.consultant: _("Consultant qualification"),
    QualificationKind.auditor: _("Auditor qualification"),
    QualificationKind.lead_auditor: _("Auditor qualification (lead auditor)"),
    ObjectionStatus.open: _("Open"),
    ObjectionStatus.upheld: _("Objection upheld"),
    ObjectionStatus.dismissed: _("Objection dismissed"),
}
ENUMS: tuple[type[_Labelled], ...] = (
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
