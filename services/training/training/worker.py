"""Standalone worker (outbox relay + consumers): `python -m training.worker`.

Use it when the API runs with BACKGROUND_WORKERS=false (e.g. one worker Deployment).
"""

import asyncio

from iims_common.workers import run_workers_forever
from training.consumers import training_consumers
from training.settings import get_settings

if __name__ == "__main__":
    asyncio.run(run_workers_forever(get_settings(), training_consumers))
