"""The events the assessment service consumes — entry points beside the routes, each event
type mapped to the use case it calls (in the inbox transaction, with the parsed contract)."""

from __future__ import annotations

from assessment.service import assessments, enterprises
from iims_common.events import consumers, route
from iims_contracts.registry import EnterpriseRegistered, PilotEnrolled

assessment_consumers = consumers(
    "assessment",
    route(EnterpriseRegistered, enterprises.keep_registered),
    route(PilotEnrolled, assessments.open_baseline),
)
