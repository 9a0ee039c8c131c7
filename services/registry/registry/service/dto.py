"""Commands and answers of the registry's use cases (pydantic); the API's request and response
bodies are these (`registry.api.schemas` re-exports them), so the service layer never imports
the API. Validation messages are field-level; domain checks (USCC, codes) come from
`registry.domain`."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    WithJsonSchema,
    computed_field,
)

from iims_common.i18n import _
from iims_common.identifiers import FOLD, USCC, check, fold_phone
from iims_common.imports import ImportSummary
from iims_common.schemas import Input, Output
from registry.domain.enums import (
    AgencyKind,
    AgencyStatus,
    EnterpriseSize,
    EnterpriseStatus,
    PilotStatus,
    PlanStatus,
    RecommendingUnitKind,
)
from registry.domain.reference import (
    INDUSTRY_SECTIONS,
    PROVINCES,
    SEPARATELY_PLANNED_CITIES,
    authority_region_error,
    industry_error,
    province_error,
)

# Every identifier is folded (NFKC, trimmed, upper-cased) before it is checked: one rule,
# `iims_common.identifiers`, for bodies, query parameters and import rows alike.
# The schema names the codes the check accepts (the 31 GB/T 2260 provinces; for a
# recommending authority also the 计划单列市), so a client or generator can only send those.
ProvinceCode = Annotated[
    str,
    FOLD,
    check(province_error),
    WithJsonSchema(
        {"type": "string", "enum": list(PROVINCES), "description": "GB/T 2260 province code"}
    ),
]
RegionCode = Annotated[
    str,
    FOLD,
    check(authority_region_error),
    WithJsonSchema(
        {
            "type": "string",
            "enum": [*PROVINCES, *SEPARATELY_PLANNED_CITIES],
            "description": "GB/T 2260 code of a province or a separately planned city",
        }
    ),
]
IndustryCode = Annotated[str, FOLD, check(industry_error)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


def _period(value: str) -> str:
    if not _PERIOD.match(value):
        raise ValueError(_("period must be YYYY-MM (e.g. 2014-09)"))
    return value


Period = Annotated[
    str,
    FOLD,
    AfterValidator(_period),
    Field(json_schema_extra={"pattern": _PERIOD.pattern, "description": "A month, YYYY-MM"}),
]


# --- enterprises -------------------------------------------------------------------------


def _phone(value: object) -> object:
    return fold_phone(value) if isinstance(value, str) else value


class EnterpriseContact(Input):
    address: str | None = Field(None, max_length=300)
    contact_name: str | None = Field(None, max_length=100)
    contact_phone: Annotated[str, BeforeValidator(_phone)] | None = Field(
        None, max_length=40, pattern=r"^[0-9+\-() ]{5,40}$"
    )
    contact_email: str | None = Field(None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class EnterpriseCreate(EnterpriseContact):
    """企业登记."""

    uscc: USCC = Field(description="统一社会信用代码 (GB 32100-2015)")
    name: Name = Field(description="企业名称")
    province_code: ProvinceCode = Field(description="省级行政区划代码 (GB/T 2260)")
    industry_code: IndustryCode = Field(description="国民经济行业分类 (GB/T 4754-2017) 门类[大类]")
    size: EnterpriseSize = Field(description="企业规模")


class EnterpriseUpdate(EnterpriseContact):
    name: Name | None = None
    province_code: ProvinceCode | None = None
    industry_code: IndustryCode | None = None
    size: EnterpriseSize | None = None
    status: EnterpriseStatus | None = Field(
        None, description="Only 'deregistered' (注销) or back to 'registered' can be set by hand"
    )


class EnterpriseOut(Output):
    id: uuid.UUID
    uscc: str
    name: str
    province_code: str
    industry_code: str
    size: EnterpriseSize
    status: EnterpriseStatus
    address: str | None
    contact_name: str | None
    contact_phone: str | None
    contact_email: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def province_name(self) -> str:
        return PROVINCES.get(self.province_code, "")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def industry_name(self) -> str:
        section = INDUSTRY_SECTIONS.get(self.industry_code[:1])
        return section.name if section else ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label_in()


class ImportRowError(BaseModel):
    line: int = Field(
        description="CSV: line in the file where the row starts; .xlsx: row number; "
        "JSON: item number"
    )
    uscc: str | None = None
    errors: list[dict[str, str]]


class ImportReport(ImportSummary):
    """What an import did: counts, what was read (format, encoding, separator, ignored
    columns), every refused row with its line and reasons, and where to download them."""

    errors: list[ImportRowError]
    recommended: int | None = Field(
        None, description="recommendation imports: recommendations made in the batch"
    )


# --- reference ---------------------------------------------------------------------------


class ProvinceOut(BaseModel):
    code: str
    name: str


class IndustryOut(BaseModel):
    code: str
    name: str
    divisions: list[str]


# --- recommending units, agencies --------------------------------------------------------


class RecommendingUnitCreate(Input):
    """推荐单位."""

    name: Name
    kind: RecommendingUnitKind
    region_code: RegionCode | None = Field(
        None, description="Required for provincial authorities (province or 计划单列市)"
    )


class RecommendingUnitOut(Output):
    id: uuid.UUID
    name: str
    kind: RecommendingUnitKind
    region_code: str | None
    created_at: dt.datetime


class AgencyCreate(Input):
    """服务机构."""

    uscc: USCC
    name: Name
    kind: AgencyKind
    status: AgencyStatus = AgencyStatus.applied
    province_code: ProvinceCode


class AgencyUpdate(Input):
    name: Name | None = None
    status: AgencyStatus | None = None


class AgencyOut(Output):
    id: uuid.UUID
    uscc: str
    name: str
    kind: AgencyKind
    status: AgencyStatus
    province_code: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


# --- batches, recommendations, pilots ----------------------------------------------------


class BatchCreate(Input):
    """试点批次."""

    year: int = Field(ge=2010, le=2100)
    name: Name
    pilot_quota: int = Field(ge=1, le=1_000_000)
    certification_target: int = Field(ge=0, le=1_000_000)
    plan_deadline: dt.date | None = Field(None, description="本区域贯标工作落实方案 报送截止日")


class BatchUpdate(Input):
    name: Name | None = None
    pilot_quota: int | None = Field(None, ge=1, le=1_000_000)
    certification_target: int | None = Field(None, ge=0, le=1_000_000)
    plan_deadline: dt.date | None = None
    quota_change_reason: str | None = Field(
        None, min_length=1, max_length=2000, description="Why the pilot quota changes (kept)"
    )
    quota_changed_on: dt.date | None = Field(None, description="When it changed (default today)")


class QuotaChangeOut(Output):
    """When and why a batch's pilot quota changed (2014: planned 500, 502 finally enrolled)."""

    from_quota: int | None
    to_quota: int
    changed_on: dt.date
    reason: str
    changed_by: str


class BatchOut(Output):
    id: uuid.UUID
    year: int
    name: str
    pilot_quota: int
    certification_target: int
    plan_deadline: dt.date | None
    created_at: dt.datetime
    version: int


class RecommendationCreate(Input):
    enterprise_id: uuid.UUID
    recommending_unit_id: uuid.UUID | None = Field(
        None, description="Defaults to the caller's own unit (province / recommender roles)"
    )
    reason: str | None = Field(None, max_length=4000)


class RecommendationOut(Output):
    id: uuid.UUID
    batch_id: uuid.UUID
    enterprise_id: uuid.UUID
    recommending_unit_id: uuid.UUID
    province_code: str
    reason: str | None
    created_at: dt.datetime
    # For people reading a list (the web console): who was recommended, by whom, and the
    # pilot it became, if it was selected.
    enterprise_name: str | None = None
    enterprise_uscc: str | None = None
    recommending_unit_name: str | None = None
    pilot_id: uuid.UUID | None = Field(None, description="set once the recommendation is selected")


class PilotSelect(Input):
    """遴选试点企业."""

    recommendation_id: uuid.UUID
    consultancy_id: uuid.UUID | None = None


class PilotUpdate(Input):
    status: PilotStatus | None = None
    reason: str | None = Field(None, max_length=2000)
    consultancy_id: uuid.UUID | None = None


class PilotOut(Output):
    id: uuid.UUID
    batch_id: uuid.UUID
    enterprise_id: uuid.UUID
    recommendation_id: uuid.UUID
    consultancy_id: uuid.UUID | None
    province_code: str
    industry_code: str
    status: PilotStatus
    enrolled_at: dt.datetime
    certificate_no: str | None
    certified_on: dt.date | None
    latest_assessment_id: str | None
    latest_assessment_period: str | None
    latest_score: float | None
    latest_stage: str | None
    latest_maturity_level: str | None
    version: int
    enterprise_name: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        return self.status.label_in()


class PilotStatusChangeOut(Output):
    from_status: str | None
    to_status: str
    reason: str | None
    changed_by: str
    changed_at: dt.datetime


# --- progress reports, province plans, stats ---------------------------------------------


class ProgressReportCreate(Input):
    """进展报告."""

    period: Period
    stage: str = Field(min_length=1, max_length=100)
    percent: int = Field(ge=0, le=100)
    narrative: str = Field(min_length=1, max_length=20000)
    problems: str | None = Field(None, max_length=20000)


class ProgressReportOut(Output):
    id: uuid.UUID
    pilot_id: uuid.UUID
    batch_id: uuid.UUID
    province_code: str
    period: str
    stage: str
    percent: int
    narrative: str
    problems: str | None
    submitted_by: str
    created_at: dt.datetime


class ProgressSummaryRow(BaseModel):
    province_code: str
    province_name: str
    active_pilots: int
    reported: int
    missing: int
    average_percent: float | None


class ProgressSummary(BaseModel):
    """进展汇总: who reported for a period, per province."""

    batch_id: uuid.UUID
    period: str
    active_pilots: int
    reported: int
    average_percent: float | None
    by_province: list[ProgressSummaryRow]


class ProvincePlanCreate(Input):
    """本区域贯标工作落实方案."""

    province_code: ProvinceCode | None = Field(
        None, description="Defaults to the caller's province"
    )
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(min_length=1, max_length=50000)
    policy_support: str | None = Field(None, max_length=50000)
    funding_wan_yuan: float | None = Field(None, ge=0, description="资金支持 (万元)")


class ProvincePlanOut(Output):
    id: uuid.UUID
    batch_id: uuid.UUID
    province_code: str
    title: str
    summary: str
    policy_support: str | None
    funding_wan_yuan: float | None
    submitted_by: str
    submitted_at: dt.datetime


class ProvincePlanStatusOut(BaseModel):
    province_code: str
    province_name: str
    status: PlanStatus
    status_label: str
    deadline: dt.date | None
    submitted_at: dt.datetime | None
    plan_id: uuid.UUID | None


class ProvinceStats(BaseModel):
    province_code: str
    province_name: str
    recommended: int
    pilots: int
    by_status: dict[str, int]
    certified: int


class BatchStats(BaseModel):
    batch_id: uuid.UUID
    year: int
    pilot_quota: int
    certification_target: int
    recommended: int
    pilots: int
    by_status: dict[str, int]
    certified: int
    quota_used_ratio: float
    certification_target_ratio: float
    by_province: list[ProvinceStats]
