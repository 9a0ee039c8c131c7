"""States and kinds of the 认定 process, with their Chinese labels."""

from __future__ import annotations

from iims_common.enums import LabelledEnum


class _Labelled(LabelledEnum):
    """Codes of the 认定 process; `label` is the Chinese text (`LABELS_BY_ENUM`)."""

    @property
    def label(self) -> str:
        return LABELS_BY_ENUM.get(type(self), {}).get(self.value, self.value)


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


LABELS_BY_ENUM: dict[type[LabelledEnum], dict[str, str]] = {
    ApplicationStatus: {
        "accepted": "已受理",
        "stage1_planned": "文件审核已安排",
        "stage1_completed": "文件审核完成",
        "stage2_planned": "现场审核已安排",
        "stage2_completed": "现场审核完成（不符合项验证）",
        "stage2_required": "须重新现场审核",
        "audit_passed": "审核通过",
        "under_review": "合规性审查",
        "in_notice": "公示中",
        "certified": "已颁发认定证书",
        "rejected": "未予认定",
        "withdrawn": "已撤回",
    },
    AuditKind: {
        "stage1": "文件审核",
        "stage2": "现场审核",
        "surveillance": "监督审核",
        "recertification": "再认定审核",
    },
    AuditStatus: {"planned": "已安排", "completed": "已完成", "cancelled": "已取消"},
    TeamRole: {"lead": "审核组长", "member": "审核员"},
    Severity: {"major": "严重不符合", "minor": "一般不符合", "observation": "观察项"},
    FindingStatus: {
        "open": "待整改",
        "plan_submitted": "纠正措施计划已提交",
        "plan_accepted": "纠正措施计划已接受",
        "closed": "已关闭",
    },
    CertificateStatus: {
        "valid": "有效",
        "suspended": "暂停",
        "withdrawn": "撤销",
        "expired": "过期",
    },
    QualificationKind: {
        "consultant": "咨询资质",
        "auditor": "认定资质",
        "lead_auditor": "认定资质（审核组长）",
    },
}
