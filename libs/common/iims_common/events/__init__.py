"""Event bus: CloudEvents envelope, transactional outbox + relay, idempotent consumer (inbox).
The events themselves are typed contracts in `iims_contracts`."""

from iims_common.events.envelope import CloudEvent, event_type_for, topic_for_type
from iims_common.events.outbox import record, record_event

__all__ = ["CloudEvent", "event_type_for", "record", "record_event", "topic_for_type"]
