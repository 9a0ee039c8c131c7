"""States and kinds of the 认定 process, with their Chinese labels."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
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


class AuditKind(StrEnum):
    stage1 = "stage1"  # 文件审核
    stage2 = "stage2"  # 现场审核
    surveillance = "surveillance"  # 监督审核
    recertification = "recertification"  # 再认定审核


class AuditStatus(StrEnum):
    planned = "planned"
    completed = "completed"
    cancelled = "cancelled"


class TeamRole(StrEnum):
    lead = "lead"  # 审核组长
    member = "member"  # 审核员


class Severity(StrEnum):
    major = "major"  # 严重不符合
    minor = "minor"  # 一般不符合
    observation = "observation"  # 观察项


class FindingStatus(StrEnum):
    open = "open"
    plan_submitted = "plan_submitted"
    plan_accepted = "plan_accepted"
    closed = "closed"


class CertificateStatus(StrEnum):
    valid = "valid"  # 有效
    suspended = "suspended"  # 暂停
    withdrawn = "withdrawn"  # 撤销
    expired = "expired"  # 过期


class QualificationKind(StrEnum):
    consultant = "consultant"
    auditor = "auditor"
    lead_auditor = "lead_auditor"


LABELS: dict[str, str] = {
    **{
        s.value: label
        for s, label in {
            ApplicationStatus.accepted: "已受理",
            ApplicationStatus.stage1_planned: "文件审核已安排",
            ApplicationStatus.stage1_completed: "文件审核完成",
            ApplicationStatus.stage2_planned: "现场审核已安排",
            ApplicationStatus.stage2_completed: "现场审核完成（不符合项验证）",
            ApplicationStatus.stage2_required: "须重新现场审核",
            ApplicationStatus.audit_passed: "审核通过",
            ApplicationStatus.under_review: "合规性审查",
            ApplicationStatus.in_notice: "公示中",
            ApplicationStatus.certified: "已颁发认定证书",
            ApplicationStatus.rejected: "未予认定",
            ApplicationStatus.withdrawn: "已撤回",
        }.items()
    },
    AuditKind.stage1.value: "文件审核",
    AuditKind.stage2.value: "现场审核",
    AuditKind.surveillance.value: "监督审核",
    AuditKind.recertification.value: "再认定审核",
    Severity.major.value: "严重不符合",
    Severity.minor.value: "一般不符合",
    Severity.observation.value: "观察项",
    CertificateStatus.valid.value: "有效",
    CertificateStatus.suspended.value: "暂停",
    CertificateStatus.withdrawn.value: "撤销",
    CertificateStatus.expired.value: "过期",
}
