"""Events of the programme's own work, published by the registry (工作任务, 报送, 会议, 通知,
资料, 经费, 服务机构名单). The gateway's dashboards count tasks late, meetings and funds from
them; provinces may subscribe to notices and task submissions."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from iims_contracts.base import EventContract, ProvinceCode, Year

RegionCode = ProvinceCode  # a province or a separately planned city (计划单列市), GB/T 2260
TaskSource = Literal["national", "provincial", "domain", "city"]
MeetingKind = Literal[
    "deployment",
    "enterprise_publicity",
    "agency_exchange",
    "provincial_seminar",
    "experience_exchange",
    "site_meeting",
]
MeetingStatus = Literal["planned", "scheduled", "held", "cancelled"]
DocumentCategory = Literal[
    "training_material",
    "standard",
    "regulation",
    "template",
    "meeting_material",
    "notice_attachment",
    "submission",
]
FundSource = Literal["ministry_special", "provincial"]
AgencyListKind = Literal["consultancy", "certification_body"]

_TASK = "f1f1f1f1-f1f1-4f1f-8f1f-f1f1f1f1f1f1"
_E = "11111111-1111-4111-8111-111111111111"
_P = "33333333-3333-4333-8333-333333333333"


class ProgrammeTaskUpdated(EventContract):
    """A programme task (工作任务, from the seed's task tables or added) was created, changed
    or completed. Keyed by the task id. The gateway computes "late" from `due_on` and
    `completed_on`."""

    topic: ClassVar[str] = "programme-task-updated"
    key_field: ClassVar[str] = "task_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "工作任务变更"
    example: ClassVar[dict[str, Any]] = {
        "task_id": _TASK,
        "year": 2014,
        "ref": "之二-3",
        "title": "制定本地区贯标工作落实方案",
        "source": "national",
        "assignee": "320000",
        "province_code": "320000",
        "region_code": "320000",
        "starts_on": "2014-04-01",
        "due_on": "2014-05-31",
        "periodic": False,
        "completed_on": None,
    }

    task_id: UUID = Field(description="任务 id (the Kafka key)")
    year: Year
    ref: str = Field(min_length=1, max_length=32, description="任务编号 (e.g. 之二-3)")
    title: str = Field(min_length=1, max_length=2000, description="任务内容")
    source: TaskSource = Field(
        description="任务来源: national 全国工作计划, provincial 地方方案, domain 本领域, "
        "city 计划单列市"
    )
    assignee: str = Field(
        min_length=1, max_length=64, description="承担单位: `national`, a region code or a unit id"
    )
    province_code: ProvinceCode | None = Field(
        default=None, description="the province the task counts for (None: national tasks)"
    )
    region_code: RegionCode | None = Field(default=None, description="承担地区 (GB/T 2260)")
    starts_on: dt.date | None = Field(default=None, description="开始日期")
    due_on: dt.date = Field(description="完成期限")
    periodic: bool = Field(description="定期报送 (one submission per period)")
    completed_on: dt.date | None = Field(default=None, description="完成日期")


class TaskSubmissionReceived(EventContract):
    """An assignee handed in a submission for a task (报送). Keyed by the task id."""

    topic: ClassVar[str] = "task-submission-received"
    key_field: ClassVar[str] = "task_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "任务报送"
    label_en: ClassVar[str | None] = "Task submission received"
    summary_zh: ClassVar[str | None] = "责任单位就工作任务提交报送材料时推送。"
    webhook: ClassVar[bool] = True  # to the submitting province's subscriptions
    example: ClassVar[dict[str, Any]] = {
        "submission_id": "f2f2f2f2-f2f2-4f2f-8f2f-f2f2f2f2f2f2",
        "task_id": _TASK,
        "year": 2014,
        "ref": "之四-2",
        "province_code": "320000",
        "region_code": "320000",
        "period": "2014-06",
        "submitted_on": "2014-07-05",
        "late": False,
    }

    submission_id: UUID = Field(description="报送 id")
    task_id: UUID = Field(description="任务 id (the Kafka key)")
    year: Year
    ref: str = Field(min_length=1, max_length=32, description="任务编号")
    province_code: ProvinceCode | None = Field(default=None, description="报送省份")
    region_code: RegionCode | None = Field(default=None, description="报送地区")
    period: str | None = Field(
        default=None,
        pattern=r"^[0-9]{4}-[0-9]{2}$",
        description="报送期 (month YYYY-MM) of a periodic task; None for a one-off task",
    )
    submitted_on: dt.date = Field(description="报送日期")
    late: bool = Field(description="逾期报送 (after the period's due date)")


class MeetingUpdated(EventContract):
    """A programme meeting (会议) was planned, scheduled, held or cancelled, with its
    registrations and attendance. Keyed by the meeting id."""

    topic: ClassVar[str] = "meeting-updated"
    key_field: ClassVar[str] = "meeting_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "会议变更"
    example: ClassVar[dict[str, Any]] = {
        "meeting_id": "f3f3f3f3-f3f3-4f3f-8f3f-f3f3f3f3f3f3",
        "year": 2014,
        "kind": "enterprise_publicity",
        "title": "江苏省两化融合管理体系贯标宣贯大会",
        "province_code": "320000",
        "starts_on": "2014-06-10",
        "ends_on": "2014-06-10",
        "status": "held",
        "registered": 120,
        "attended": 112,
    }

    meeting_id: UUID = Field(description="会议 id (the Kafka key)")
    year: Year
    kind: MeetingKind = Field(
        description="deployment 工作部署会, enterprise_publicity 企业宣贯大会, agency_exchange "
        "服务机构交流会, provincial_seminar 座谈会/宣传推广会, experience_exchange 经验交流推广会, "
        "site_meeting 现场会"
    )
    title: str = Field(min_length=1, max_length=300, description="会议名称")
    province_code: ProvinceCode | None = Field(default=None, description="举办省份 (None: 全国)")
    starts_on: dt.date | None = Field(default=None, description="开始日期")
    ends_on: dt.date | None = Field(default=None, description="结束日期")
    status: MeetingStatus = Field(
        description="planned 计划, scheduled 已安排, held 已召开, cancelled 已取消"
    )
    registered: int = Field(ge=0, description="报名人数 (attendees registered)")
    attended: int | None = Field(default=None, ge=0, description="实到人数 (once recorded)")


class NoticeIssued(EventContract):
    """A notice (通知) was issued to roles of the programme. Keyed by the notice id."""

    topic: ClassVar[str] = "notice-issued"
    key_field: ClassVar[str] = "notice_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "通知发布"
    label_en: ClassVar[str | None] = "Notice issued"
    summary_zh: ClassVar[str | None] = "向贯标工作各方（含地方工信主管部门）印发通知时推送。"
    # To every province's subscriptions when `province` is in the audience (a notice has no
    # province of its own: it is addressed to roles).
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "notice_id": "f4f4f4f4-f4f4-4f4f-8f4f-f4f4f4f4f4f4",
        "number": "工信部信软函〔2014〕84号",
        "title": "关于开展两化融合管理体系贯标试点工作的通知",
        "issued_on": "2014-03-20",
        "audience_roles": ["province", "enterprise"],
    }

    notice_id: UUID = Field(description="通知 id (the Kafka key)")
    number: str | None = Field(default=None, max_length=64, description="文号")
    title: str = Field(min_length=1, max_length=300, description="标题")
    issued_on: dt.date = Field(description="发布日期")
    audience_roles: list[str] = Field(description="the platform roles the notice is addressed to")


class DocumentPublished(EventContract):
    """A version of a document (资料: 讲义, 标准, 办法, 模板, 会议材料) was published. Keyed
    by the document id."""

    topic: ClassVar[str] = "document-published"
    key_field: ClassVar[str] = "document_id"
    producer: ClassVar[str] = "registry"
    label: ClassVar[str] = "资料发布"
    example: ClassVar[dict[str, Any]] = {
        "document_id": "f5f5f5f5-f5f5-4f5f-8f5f-f5f5f5f5f5f5",
        "title": "两化融合管理体系 要求 (GB/T 23001)",
        "category": "standard",
        "access": "public",
        "version": 1,
        "sha256": "0" * 64,
        "size": 524288,
        "province_code": None,
    }

    document_id: UUID = Field(description="资料 id (the Kafka key)")
    title: str = Field(min_length=1, max_length=300, description="标题")
    category: DocumentCategory = Field(
        description="training_material 培训讲义, standard 标准, regulation 管理办法, template "
        "模板, meeting_material 会议材料, notice_attachment 通知附件, submission 报送附件"
    )
    access: Literal["public", "restricted"] = Field(
        description="public 公开下载 (no login), restricted 平台用户"
    )
    version: int = Field(ge=1, description="版本号 (1, 2, …)")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file (hex)")
    size: int = Field(ge=0, description="file size (bytes)")
    province_code: ProvinceCode | None = Field(default=None, description="所属省份 (None: 全国)")


class FundAllocated(EventContract):
    """Support funds were allocated to a certified pilot (经费分配). Keyed by the enterprise
    id (its facts stay in order with its pilot's events)."""

    topic: ClassVar[str] = "fund-allocated"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "经费分配"
    example: ClassVar[dict[str, Any]] = {
        "allocation_id": "f6f6f6f6-f6f6-4f6f-8f6f-f6f6f6f6f6f6",
        "budget_id": "f7f7f7f7-f7f7-4f7f-8f7f-f7f7f7f7f7f7",
        "year": 2015,
        "source": "ministry_special",
        "pilot_id": _P,
        "enterprise_id": _E,
        "province_code": "320000",
        "amount_yuan": 300000,
        "decided_on": "2015-03-01",
    }

    allocation_id: UUID = Field(description="分配 id")
    budget_id: UUID = Field(description="预算 id")
    year: Year
    source: FundSource = Field(description="ministry_special 部级专项经费, provincial 各地支持资金")
    pilot_id: UUID = Field(description="试点 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode
    amount_yuan: int = Field(ge=0, description="金额 (yuan, whole)")
    decided_on: dt.date = Field(description="决定日期")


class FundDisbursed(EventContract):
    """Allocated funds were paid out (经费拨付). Keyed by the enterprise id."""

    topic: ClassVar[str] = "fund-disbursed"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "经费拨付"
    example: ClassVar[dict[str, Any]] = {
        "disbursement_id": "f8f8f8f8-f8f8-4f8f-8f8f-f8f8f8f8f8f8",
        "allocation_id": "f6f6f6f6-f6f6-4f6f-8f6f-f6f6f6f6f6f6",
        "year": 2015,
        "source": "ministry_special",
        "pilot_id": _P,
        "enterprise_id": _E,
        "province_code": "320000",
        "amount_yuan": 150000,
        "paid_on": "2015-04-15",
    }

    disbursement_id: UUID = Field(description="拨付 id")
    allocation_id: UUID = Field(description="分配 id")
    year: Year
    source: FundSource = Field(description="ministry_special 部级专项经费, provincial 各地支持资金")
    pilot_id: UUID = Field(description="试点 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    province_code: ProvinceCode
    amount_yuan: int = Field(ge=0, description="金额 (yuan, whole)")
    paid_on: dt.date = Field(description="拨付日期")


class AgencyListPublished(EventContract):
    """A list of recommended agencies was published (服务机构名单公示). Keyed by the list id."""

    topic: ClassVar[str] = "agency-list-published"
    key_field: ClassVar[str] = "list_id"
    producer: ClassVar[str] = "registry"
    consumers: ClassVar[tuple[str, ...]] = ("gateway",)
    label: ClassVar[str] = "服务机构名单公示"
    example: ClassVar[dict[str, Any]] = {
        "list_id": "f9f9f9f9-f9f9-4f9f-8f9f-f9f9f9f9f9f9",
        "year": 2014,
        "kind": "consultancy",
        "title": "2014年推荐的贯标服务机构名单",
        "published_on": "2014-08-20",
        "entries": 42,
    }

    list_id: UUID = Field(description="名单 id (the Kafka key)")
    year: Year
    kind: AgencyListKind = Field(
        description="consultancy 推荐的贯标服务机构名单, certification_body 认定服务机构名单"
    )
    title: str = Field(min_length=1, max_length=300, description="名单标题")
    published_on: dt.date | None = Field(default=None, description="公示日期")
    entries: int = Field(ge=0, description="名单中的机构数")
