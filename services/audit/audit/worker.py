"""Standalone worker (outbox relay + consumers + certificate lifecycle): `python -m audit.worker`.

Use it when the API runs with BACKGROUND_WORKERS=false (e.g. one worker Deployment).
"""

import asyncio

from audit.consumers import audit_consumers
from audit.service.certificates import lifecycle_job
from audit.settings import get_settings
from iims_common.workers import PeriodicJob, run_workers_forever

if __name__ == "__main__":
    settings = get_settings()
    asyncio.run(
        run_workers_forever(
            settings,
            audit_consumers,
            [PeriodicJob("certificate-lifecycle", settings.lifecycle_interval_s, lifecycle_job)],
        )
    )
