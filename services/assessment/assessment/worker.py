"""Standalone worker (outbox relay + consumers): `python -m assessment.worker`.

Use it when the API runs with BACKGROUND_WORKERS=false (e.g. one worker Deployment).
"""

import asyncio

from assessment.consumers import assessment_consumers
from assessment.settings import get_settings
from iims_common.workers import run_workers_forever

if __name__ == "__main__":
    asyncio.run(run_workers_forever(get_settings(), assessment_consumers))
