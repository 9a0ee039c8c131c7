"""Event bus: CloudEvents envelope, transactional outbox + relay, idempotent consumer (inbox).
The events themselves are typed contracts in `iims_contracts`."""

from iims_common.events.consumer import ConsumerFactory, Route, consumers, route
from iims_common.events.envelope import CloudEvent, event_type_for, topic_for_type
from iims_common.events.outbox import record, record_event

__all__ = [
    "CloudEvent",
    "ConsumerFactory",
    "Route",
    "consumers",
    "event_type_for",
    "record",
    "record_event",
    "route",
    "topic_for_type",
]
