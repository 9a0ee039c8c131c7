"""The events the audit service consumes — entry points beside the routes, each event type
mapped to the use case it calls (in the inbox transaction, with the parsed contract): the
facts it keeps copies of, and its own `AuditPassed` (the certification step: the application
enters the compliance review)."""

from __future__ import annotations

from audit.service import applications, auditors, facts
from iims_common.events import consumers, route
from iims_contracts.audit import AuditPassed
from iims_contracts.registry import AgencyUpdated, EnterpriseRegistered, PilotEnrolled
from iims_contracts.training import QualificationGranted, QualificationRevoked

audit_consumers = consumers(
    "audit",
    route(EnterpriseRegistered, facts.keep_registered),
    route(PilotEnrolled, facts.keep_pilot),
    route(AgencyUpdated, facts.keep_agency),
    route(QualificationGranted, auditors.learn_qualification),
    route(QualificationRevoked, auditors.revoke_qualification),
    route(AuditPassed, applications.open_review),
)
