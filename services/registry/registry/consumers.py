"""The events the registry consumes — entry points beside the routes, each event type mapped
to the use case it calls (in the inbox transaction, with the parsed contract): a certificate
issued (pilot → certified, eligible for 贯标试点支持), an assessment scored (the pilot's latest
result), qualifications granted/revoked (agency staff holding 咨询资质, for the
recommended-consultancy lists)."""

from __future__ import annotations

from iims_common.events import consumers, route
from iims_contracts.assessment import AssessmentScored
from iims_contracts.audit import CertificateIssued
from iims_contracts.training import QualificationGranted, QualificationRevoked
from registry.service import pilot_events, work

registry_consumers = consumers(
    "registry",
    route(CertificateIssued, pilot_events.certify),
    route(AssessmentScored, pilot_events.record_score),
    route(QualificationGranted, work.qualification_granted),
    route(QualificationRevoked, work.qualification_revoked),
)
