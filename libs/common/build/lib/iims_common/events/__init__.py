"""Event bus: CloudEvents envelope, transactional outbox + relay, idempotent consumer (inbox)."""

from iims_common.events.envelope import CloudEvent, event_type_for, topic_for_type
from iims_common.events.outbox import record_event

__all__ = ["CloudEvent", "event_type_for", "record_event", "topic_for_type"]
