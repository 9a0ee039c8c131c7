"""The event catalogue's topics, and `python -m iims_common.events.topics` to create them (and
their `.dlq`) on a Kafka cluster idempotently — run by the Helm chart's hook Job."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from iims_common.events.kafka import security_options
from iims_common.settings import ServiceSettings

CATALOGUE = (
    # DESIGN.md §1
    "enterprise-registered",
    "pilot-enrolled",
    "agency-updated",
    "assessment-scored",
    "qualification-granted",
    "qualification-revoked",
    "audit-passed",
    "certificate-issued",
    "certificate-status-changed",
    # added for the dashboards (services' READMEs)
    "batch-updated",
    "recommendation-made",
    "pilot-status-changed",
    "progress-reported",
    "province-plan-submitted",
    "training-completed",
    "audit-updated",
)


def all_topics() -> list[str]:
    return [t for topic in CATALOGUE for t in (topic, f"{topic}.dlq")]


async def create(settings: ServiceSettings, partitions: int, replication: int) -> list[str]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=settings.kafka_bootstrap_servers, **security_options(settings)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in all_topics() if t not in existing]
        if missing:
            # Another run may have created some meanwhile: that is the state we want.
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([NewTopic(t, partitions, replication) for t in missing])
        return missing
    finally:
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--replication-factor", type=int, default=3)
    args = parser.parse_args()
    created = asyncio.run(create(ServiceSettings(), args.partitions, args.replication_factor))
    print(f"created {len(created)} topics; {len(all_topics()) - len(created)} existed")


if __name__ == "__main__":
    main()
