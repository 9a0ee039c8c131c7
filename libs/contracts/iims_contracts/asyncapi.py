"""The AsyncAPI 3.0 document of the platform's events, generated from the contracts.

Channels are the topics (and their `<topic>.dlq`), messages are the event types (the
structured CloudEvent with the contract's `data` schema), each with its Kafka binding (the key
and what it is the id of) and an example; operations say who sends and who receives
(consumer group = the consuming service's name). `python -m iims_contracts.asyncapi > doc.json`
prints it.
"""

from __future__ import annotations

import json
from typing import Any

from iims_contracts.base import EventContract
from iims_contracts.catalogue import CONTRACTS

ASYNCAPI_VERSION = "3.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
DLQ_HEADERS = {
    "iims-dlq-original-topic": "the topic the event was read from",
    "iims-dlq-error": "why the consumer gave up (exception, or the contract violation)",
    "iims-dlq-attempts": "attempts made (0: refused without retrying — unparseable or invalid)",
    "iims-dlq-consumer": "the consumer group that dead-lettered it",
}
DESCRIPTION = """\
The events of the IIMS platform (两化融合管理体系 咨询与认定服务平台): the contract between its
services and with provincial systems.

**Envelope.** Every message is a CloudEvents 1.0 event in the *structured content mode* of the
Kafka protocol binding: the value is the JSON event (`specversion`, `id` (UUID), `source`
(`/iims/<service>`), `type` (`cn.iims.<topic>.v<N>`), `subject` (the aggregate id), `time`,
`datacontenttype`, `data`), the `content-type` header is `application/cloudevents+json;
charset=UTF-8`, and there are no `ce_` headers. The Kafka key is the id of the aggregate the
event is about (and equals `subject`), so events about one thing stay in order. The W3C trace
context travels in the `traceparent` header.

**Delivery.** At least once: producers write events into a transactional outbox, consumers
record processed event ids (a redelivery changes nothing). An event a consumer cannot process
goes to `<topic>.dlq` with the `iims-dlq-*` headers, and can be re-driven.

**Evolution.** A version only gains optional fields; readers ignore fields they do not know.
Anything else is a new type `cn.iims.<topic>.v<N+1>` on the same topic.
"""


def message_name(contract: type[EventContract]) -> str:
    """`EnterpriseRegistered` v1 -> `EnterpriseRegisteredV1` (component key)."""
    return f"{contract.__name__}V{contract.type_version}"


def data_schema(contract: type[EventContract]) -> dict[str, Any]:
    """The JSON Schema of the contract's `data` (pydantic's, referenced from the payload)."""
    schema = contract.model_json_schema(ref_template="#/components/schemas/{model}")
    schema["title"] = message_name(contract)
    schema["examples"] = [contract.example]
    return schema


def envelope_schema(contract: type[EventContract]) -> dict[str, Any]:
    """The structured CloudEvent carrying the contract."""
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "subject", "time", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "format": "uuid", "description": "event id (dedupe key)"},
            "source": {"type": "string", "const": contract.ce_source()},
            "type": {"type": "string", "const": contract.event_type()},
            "subject": {
                "type": "string",
                "description": f"the aggregate id: `data.{contract.key_field}` (= the Kafka key)",
            },
            "time": {"type": "string", "format": "date-time", "description": "UTC"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "data": {"$ref": f"#/components/schemas/{message_name(contract)}"},
        },
    }


def example_event(contract: type[EventContract]) -> dict[str, Any]:
    """A complete example message value (the example `data` in its envelope)."""
    return {
        "specversion": "1.0",
        "id": "0191f6c4-8a4e-7a53-9e4c-2f9d1c0b6a10",
        "source": contract.ce_source(),
        "type": contract.event_type(),
        "subject": str(contract.example[contract.key_field]),
        "time": "2025-06-01T08:00:00Z",
        "datacontenttype": "application/json",
        "data": contract.example,
    }


def _headers_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["content-type"],
        "properties": {
            "content-type": {
                "type": "string",
                "const": CONTENT_TYPE,
                "description": "structured content mode of the CloudEvents Kafka binding",
            },
            "traceparent": {
                "type": "string",
                "pattern": TRACEPARENT_PATTERN,
                "description": "W3C trace context of the request that caused the event",
            },
        },
    }


def _message(contract: type[EventContract]) -> dict[str, Any]:
    key_field = contract.model_fields[contract.key_field]
    return {
        "name": message_name(contract),
        "title": f"{contract.label} ({contract.event_type()})",
        "summary": (contract.__doc__ or "").split("\n\n")[0].replace("\n", " ").strip(),
        "description": (contract.__doc__ or "").strip(),
        "contentType": CONTENT_TYPE,
        "headers": _headers_schema(),
        "payload": envelope_schema(contract),
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "description": f"`data.{contract.key_field}`: {key_field.description or ''}",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "examples": [
            {
                "name": f"{message_name(contract)}-example",
                "headers": {"content-type": CONTENT_TYPE},
                "payload": example_event(contract),
            }
        ],
        "x-iims-producer": contract.producer,
        "x-iims-consumers": list(contract.consumers),
        "x-iims-webhook": contract.webhook,
    }


def document(
    contracts: tuple[type[EventContract], ...] = CONTRACTS,
    *,
    bootstrap: str = "kafka:9092",
    version: str = "1.0.0",
) -> dict[str, Any]:
    """The AsyncAPI 3.0 document (a JSON-ready dict). `bootstrap`: the Kafka server shown."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for contract in contracts:
        name = message_name(contract)
        messages[name] = _message(contract)
        schema = data_schema(contract)
        schemas.update(schema.pop("$defs", {}))  # nested models (referenced by name)
        schemas[name] = schema
    for topic in dict.fromkeys(c.topic for c in contracts):
        carried = [c for c in contracts if c.topic == topic]
        refs = {
            message_name(c): {"$ref": f"#/components/messages/{message_name(c)}"} for c in carried
        }
        labels = " / ".join(dict.fromkeys(c.label for c in carried))
        channels[topic] = {
            "address": topic,
            "title": f"{topic} — {labels}",
            "description": (carried[0].__doc__ or "").strip(),
            "messages": refs,
            "bindings": {"kafka": {"topic": topic, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        channels[f"{topic}.dlq"] = {
            "address": f"{topic}.dlq",
            "title": f"{topic}.dlq — dead letters of {topic}",
            "description": "Events of `"
            + topic
            + "` a consumer could not process, as received, with the headers "
            + ", ".join(f"`{h}` ({d})" for h, d in DLQ_HEADERS.items())
            + ". Re-drive: `python -m iims_common.events.redrive "
            + topic
            + ".dlq`.",
            "messages": refs,
            "bindings": {
                "kafka": {"topic": f"{topic}.dlq", "bindingVersion": KAFKA_BINDING_VERSION}
            },
        }
        channel_ref = {"$ref": f"#/channels/{topic}"}
        producers = sorted({c.producer for c in carried})
        for producer in producers:
            operations[f"{producer}.send.{topic}"] = {
                "action": "send",
                "channel": channel_ref,
                "title": f"{producer} publishes {topic}",
                "summary": f"{producer} writes it through its outbox; the relay publishes it.",
                "messages": [
                    {"$ref": f"#/channels/{topic}/messages/{message_name(c)}"}
                    for c in carried
                    if c.producer == producer
                ],
            }
        for consumer in sorted({s for c in carried for s in c.consumers}):
            operations[f"{consumer}.receive.{topic}"] = {
                "action": "receive",
                "channel": channel_ref,
                "title": f"{consumer} consumes {topic}",
                "messages": [
                    {"$ref": f"#/channels/{topic}/messages/{message_name(c)}"}
                    for c in carried
                    if consumer in c.consumers
                ],
                "bindings": {
                    "kafka": {
                        "groupId": {"type": "string", "enum": [consumer]},
                        "bindingVersion": KAFKA_BINDING_VERSION,
                    }
                },
            }
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:cn:iims:platform:events",
        "info": {
            "title": "IIMS platform events (两化融合管理体系 平台事件)",
            "version": version,
            "description": DESCRIPTION,
        },
        "defaultContentType": CONTENT_TYPE,
        "servers": {
            "kafka": {
                "host": bootstrap,
                "protocol": "kafka",
                "description": "The platform's Kafka: the host is the deployment's "
                "`KAFKA_BOOTSTRAP_SERVERS` (`make run`: 127.0.0.1:9092).",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


if __name__ == "__main__":
    print(json.dumps(document(), ensure_ascii=False, indent=2))
