"""Audit service app: `uvicorn audit.main:app`."""

from fastapi import FastAPI

from audit import __version__
from audit.api import applications, auditors, audits, certificates, findings, scheduling
from audit.consumers import audit_consumers
from audit.domain.enums import all_labels
from audit.service.certificates import lifecycle_job
from audit.settings import AuditSettings, get_settings
from iims_common.app import create_service_app
from iims_common.ratelimit import RateLimit
from iims_common.workers import PeriodicJob
from iims_contracts import AuditPassed

DESCRIPTION = f"""
两化融合管理体系 咨询与认定服务平台 — **audit** (认定审核).

认定申请 (applications) to an authorized 认定服务机构, 文件审核 (stage 1) and 现场审核 (stage 2)
with teams checked against every rule (qualification, double booking, unavailability,
impartiality, industry competence, stage order), 自动排期 (CP-SAT scheduler), 不符合项
(findings on clauses 4–8), 审核结论 (`{AuditPassed.topic}`), 合规性审查, 公示 and objections, 认定决定
and 认定证书 with its surveillance cycle, suspension, withdrawal and public verification.
"""


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="IIMS audit",
        description=DESCRIPTION,
        version=__version__,
        routers=[
            applications.router,
            audits.router,
            findings.router,
            auditors.router,
            scheduling.router,
            certificates.router,
            certificates.public_router,
        ],
        labels=all_labels,
        consumers=audit_consumers,
        periodic=[
            PeriodicJob("certificate-lifecycle", settings.lifecycle_interval_s, lifecycle_job)
        ],
    )
    app.state.verification_limit = RateLimit(
        settings.verification_rate_limit, settings.rate_limit_storage
    )
    return app


app = create_app()
