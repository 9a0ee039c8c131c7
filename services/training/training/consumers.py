"""The events the training service consumes — entry points beside the routes, each event
type mapped to the use case it calls (in the inbox transaction, with the parsed contract)."""

from __future__ import annotations

from iims_common.events import consumers, route
from iims_contracts.registry import EnterpriseRegistered, PilotEnrolled
from training.service import enrollments, enterprises

training_consumers = consumers(
    "training",
    route(EnterpriseRegistered, enterprises.keep_registered),
    route(PilotEnrolled, enrollments.invite_pilot),
)
