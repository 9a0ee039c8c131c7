"""Re-drive dead-lettered events: `python -m iims_common.events.redrive <topic>.dlq`.

Reads what the DLQ holds when it starts (its own consumer group, so each entry is re-driven\nonce),
publishes each event back to its original topic with its original key and headers, and
commits. Consumers dedupe by event id, so re-driving something already applied is harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiokafka import AIOKafkaConsumer, TopicPartition

from iims_common.events.consumer import DLQ_HEADERS, DLQ_SUFFIX, H_ORIGINAL_TOPIC
from iims_common.events.kafka import decode_headers, encode_headers, make_consumer, make_producer
from iims_common.settings import ServiceSettings
from iims_contracts import CertificateIssued


async def redrive(
    settings: ServiceSettings, dlq_topic: str, *, idle_s: float = 3.0, limit: int | None = None
) -> int:
    if not dlq_topic.endswith(DLQ_SUFFIX):
        raise ValueError(f"{dlq_topic!r} is not a DLQ topic (must end with {DLQ_SUFFIX})")
    consumer = make_consumer(settings, group_id=f"iims-redrive.{dlq_topic}")
    producer = make_producer(settings)
    await producer.start()
    await consumer.start()
    moved = 0
    try:
        partitions = await _partitions(consumer, dlq_topic, idle_s)
        if not partitions:
            return 0
        consumer.assign(partitions)
        # Only what is in the DLQ now: an event that fails again and lands back in the DLQ
        # while we run must not be re-driven in a loop.
        end = await consumer.end_offsets(partitions)
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        remaining = {tp for tp in partitions if await consumer.position(tp) < end[tp]}
        while remaining and (limit is None or moved < limit):
            batch = await consumer.getmany(
                *remaining, timeout_ms=int(idle_s * 1000), max_records=200
            )
            if not batch:
                break
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= end[tp] or (limit is not None and moved >= limit):
                        break
                    headers = decode_headers(record.headers)
                    target = headers.get(H_ORIGINAL_TOPIC) or dlq_topic.removesuffix(DLQ_SUFFIX)
                    clean = {k: v for k, v in headers.items() if k not in DLQ_HEADERS}
                    await producer.send_and_wait(
                        target, value=record.value, key=record.key, headers=encode_headers(clean)
                    )
                    await consumer.commit({tp: record.offset + 1})
                    moved += 1
                    if record.offset + 1 >= end[tp]:
                        remaining.discard(tp)
    finally:
        await consumer.stop()
        await producer.stop()
    return moved


async def _partitions(
    consumer: AIOKafkaConsumer, topic: str, wait_s: float
) -> list[TopicPartition]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        known = await consumer.topics()  # refreshes cluster metadata
        ids = consumer.partitions_for_topic(topic) if topic in known else None
        if ids:
            return [TopicPartition(topic, p) for p in sorted(ids)]
        if loop.time() > deadline:
            return []
        await asyncio.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dlq_topic", help=f"e.g. {CertificateIssued.topic}{DLQ_SUFFIX}")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    moved = asyncio.run(redrive(ServiceSettings(), args.dlq_topic, limit=args.limit))
    print(f"re-drove {moved} events from {args.dlq_topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
