"""Re-drive dead-lettered events: `python -m iims_common.events.redrive <topic>.dlq`.

Reads the DLQ from the start (its own consumer group, so each DLQ entry is re-driven once),
publishes each event back to its original topic with its original key and headers, and
commits. Consumers dedupe by event id, so re-driving something already applied is harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from iims_common.events.consumer import DLQ_HEADERS, DLQ_SUFFIX, H_ORIGINAL_TOPIC
from iims_common.events.kafka import decode_headers, encode_headers, make_consumer, make_producer
from iims_common.settings import ServiceSettings


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
        consumer.subscribe([dlq_topic])
        while limit is None or moved < limit:
            batch = await consumer.getmany(timeout_ms=int(idle_s * 1000), max_records=200)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    headers = decode_headers(record.headers)
                    target = headers.get(H_ORIGINAL_TOPIC) or dlq_topic.removesuffix(DLQ_SUFFIX)
                    clean = {k: v for k, v in headers.items() if k not in DLQ_HEADERS}
                    await producer.send_and_wait(
                        target, value=record.value, key=record.key, headers=encode_headers(clean)
                    )
                    moved += 1
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dlq_topic", help="e.g. certificate-issued.dlq")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args(argv)
    moved = asyncio.run(redrive(ServiceSettings(), args.dlq_topic, limit=args.limit))
    print(f"re-drove {moved} events from {args.dlq_topic}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
