"""Standalone worker (outbox relay, the dashboards' and webhooks' consumers, webhook
deliveries): `python -m gateway.worker`.

Use it when the API runs with BACKGROUND_WORKERS=false (e.g. one worker Deployment).
"""

import asyncio

from gateway.consumers import gateway_consumers
from gateway.service import webhooks
from gateway.settings import get_settings
from iims_common.personal_data import PersonalDataVault
from iims_common.workers import PeriodicJob, run_workers_forever

if __name__ == "__main__":
    settings = get_settings()
    deliveries = PeriodicJob(
        "webhook-deliveries",
        settings.webhook_poll_interval_s,
        webhooks.delivery_job(settings, PersonalDataVault.from_settings(settings)),
    )
    asyncio.run(run_workers_forever(settings, gateway_consumers, [deliveries]))
