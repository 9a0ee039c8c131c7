"""The catalogue's topics (and their .dlq) are created on a broker, idempotently."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient

from iims_common.broker import free_port, start_broker, stop_broker
from iims_common.events.topics import CATALOGUE, all_topics, create
from iims_common.settings import ServiceSettings
from iims_common.testing import dlq_of
from iims_contracts import CertificateIssued


async def test_topics_are_created_once() -> None:
    # A broker of its own: more partitions on the shared one would change other tests.
    port = free_port()
    process = start_broker(port)
    try:
        await _check(f"127.0.0.1:{port}")
    finally:
        stop_broker(process)


async def _check(broker: str) -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=broker)
    first = await create(settings, partitions=3, replication=1)
    again = await create(settings, partitions=3, replication=1)
    assert again == []  # the second run finds them all
    assert set(first) == set(all_topics())  # a fresh broker had none
    assert len(all_topics()) == 2 * len(CATALOGUE)
    assert dlq_of(CertificateIssued) in all_topics()
    admin = AIOKafkaAdminClient(bootstrap_servers=broker)
    await admin.start()
    try:
        assert set(all_topics()) <= set(await admin.list_topics())
    finally:
        await admin.close()
