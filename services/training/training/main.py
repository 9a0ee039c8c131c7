"""Training service app: `uvicorn training.main:app`."""

from fastapi import FastAPI

from iims_common.app import create_service_app
from iims_common.ratelimit import RateLimit
from training import __version__
from training.api import routes
from training.consumers import training_consumers
from training.domain.enums import all_labels
from training.settings import TrainingSettings, get_settings

DESCRIPTION = """
两化融合管理体系 咨询与认定服务平台 — **training** (贯标培训与资质).

The seed's training plan (会议材料之三) as programmes with modules and hours, sessions (班次),
people (学员, ID numbers and phones stored encrypted and shown masked), enrollments with
capacity and waitlist, attendance per module and exams.
"""


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_service_app(
        settings=settings,
        title="IIMS training",
        description=DESCRIPTION,
        version=__version__,
        routers=[routes.router, routes.public_router],
        consumers=training_consumers,
        labels=all_labels,
    )
    app.state.verification_limit = RateLimit(
        settings.verification_rate_limit, settings.rate_limit_storage
    )
    return app


app = create_app()
