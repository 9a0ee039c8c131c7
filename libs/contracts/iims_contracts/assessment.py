"""Events the assessment service publishes (评估与诊断, GB/T 23020-2013 self-assessment)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from iims_contracts.base import EventContract, Period

Stage = Literal["起步建设", "单项覆盖", "集成提升", "创新突破"]
MaturityLevel = Literal["被动", "主动", "融合和创新", "卓越"]


class AssessmentScored(EventContract):
    """An enterprise's assessment was scored (评估得分). Keyed by the enterprise id. The
    registry keeps the latest result on the pilot."""

    topic: ClassVar[str] = "assessment-scored"
    key_field: ClassVar[str] = "enterprise_id"
    producer: ClassVar[str] = "assessment"
    consumers: ClassVar[tuple[str, ...]] = ("registry", "gateway")
    label: ClassVar[str] = "评估得分"
    label_en: ClassVar[str | None] = "Assessment scored"
    summary_zh: ClassVar[str | None] = "企业的评估与诊断完成评分时推送（总指数、发展阶段）。"
    webhook: ClassVar[bool] = True
    example: ClassVar[dict[str, Any]] = {
        "assessment_id": "88888888-8888-4888-8888-888888888888",
        "enterprise_id": "11111111-1111-4111-8111-111111111111",
        "period": "2025",
        "total_score": 63.5,
        "stage": "集成提升",
        "maturity_level": "主动",
    }

    assessment_id: UUID = Field(description="评估 id")
    enterprise_id: UUID = Field(description="企业 id (the Kafka key)")
    period: Period
    total_score: float = Field(
        ge=0, le=100, description="总指数 (index points 0–100, rounded half-up to 0.01)"
    )
    stage: Stage = Field(
        description="发展阶段 by the total index: 起步建设 <40 ≤ 单项覆盖 <60 ≤ 集成提升 <80 ≤ 创新突破"
    )
    maturity_level: MaturityLevel | None = Field(
        default=None,
        description="管理体系成熟度 from the conformity ratings (被动, 主动, 融合和创新, 卓越); "
        "None when no clause was rated",
    )
