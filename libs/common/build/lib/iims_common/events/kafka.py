"""aiokafka producer/consumer construction from settings (one place for broker options)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.helpers import create_ssl_context

from iims_common.settings import ServiceSettings


def security_options(settings: ServiceSettings) -> dict[str, Any]:
    """TLS and SASL for an external Kafka, from settings (nothing for the local broker)."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if "SSL" in settings.kafka_security_protocol:
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = settings.kafka_sasl_username
        password = settings.kafka_sasl_password
        options["sasl_plain_password"] = password.get_secret_value() if password else None
    return options


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **security_options(settings),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=settings.kafka_enable_idempotence,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        linger_ms=0,
        max_batch_size=256 * 1024,
    )


def make_consumer(settings: ServiceSettings, group_id: str, **extra: Any) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        **security_options(settings),
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=max(settings.kafka_request_timeout_ms, 40_000),
        **extra,
    )


def encode_headers(headers: dict[str, Any] | None) -> list[tuple[str, bytes]]:
    return [(k, str(v).encode()) for k, v in (headers or {}).items() if v is not None]


def decode_headers(headers: Any) -> dict[str, str]:
    return {k: (v.decode(errors="replace") if v is not None else "") for k, v in headers or ()}


async def broker_reachable(bootstrap_servers: str, timeout: float = 2.0) -> bool:
    """True if any bootstrap server accepts a TCP connection."""
    for server in bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        except (OSError, TimeoutError, ValueError):
            continue
        writer.close()
        return True
    return False
