"""Assessment service app: `uvicorn assessment.main:app`."""

from fastapi import FastAPI

from assessment.api import routes
from assessment.consumers import assessment_consumers
from assessment.domain.conformity import all_labels
from assessment.settings import AssessmentSettings, get_settings
from iims_common.app import create_service_app

DESCRIPTION = """
两化融合管理体系 咨询与认定服务平台 — **assessment** (评估与诊断, GB/T 23020-2013 self-assessment).

Frameworks (指标体系) as versioned data, assessments draft → scored with total index, stage,
management level and a diagnosis across 数据/技术/业务流程/组织结构.
"""


def create_app(settings: AssessmentSettings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or get_settings(),
        title="IIMS assessment",
        description=DESCRIPTION,
        version="0.1.0",
        routers=[routes.router],
        consumers=assessment_consumers,
        labels=all_labels,
    )


app = create_app()
