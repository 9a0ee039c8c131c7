"""The event catalogue's topics (from the contracts), and `python -m iims_common.events.topics` to create them (and
their `.dlq`) on a Kafka cluster idempotently — run by the Helm chart's hook Job."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from iims_common.events.kafka import security_options
from iims_common.settings import ServiceSettings
from iims_contracts.catalogue import topics as contract_topics

# The contracts are the catalogue (iims_contracts.catalogue); nothing here names a topic.
CATALOGUE: tuple[str, ...] = tuple(contract_topics())


def all_topics() -> list[str]:
    """Every catalogue topic and its dead-letter topic (`<topic>.dlq`)."""
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
