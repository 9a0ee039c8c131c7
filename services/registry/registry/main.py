"""Registry service app: `uvicorn registry.main:app`."""

from fastapi import FastAPI

from iims_common.app import create_service_app
from registry import __version__
from registry.api import enterprises, programme, reference, work
from registry.consumers import registry_consumers
from registry.domain.enums import all_labels
from registry.settings import RegistrySettings, get_settings

DESCRIPTION = """
两化融合管理体系 咨询与认定服务平台 — **registry** (企业与贯标试点登记).

Enterprises (企业), recommending units (推荐单位), agencies (服务机构), pilot batches (试点批次),
recommendations (推荐), pilots (试点企业), progress reports (进展报告), province plans
(本区域贯标工作落实方案) and stats. Errors are RFC 9457 problem+json; lists use cursors;
creates accept `Idempotency-Key`; updates need `If-Match`. Callers authenticate with the
signed internal identity header `X-IIMS-Identity` (minted by the gateway).
"""


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    app = create_service_app(
        settings=settings or get_settings(),
        title="IIMS registry",
        description=DESCRIPTION,
        version=__version__,
        routers=[
            reference.router,
            enterprises.router,
            programme.router,
            work.router,
            work.public_router,
        ],
        consumers=registry_consumers,
        labels=all_labels,
    )
    enterprises.fast_routes(app)
    return app


app = create_app()
