"""Events the audit service publishes (DESIGN.md catalogue), through the outbox.

Keyed by the enterprise id: every event about one enterprise's certification stays in order.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import Application, Audit, Certificate
from audit.settings import EVENT_SOURCE
from iims_common.events.outbox import record_event

AUDIT_PASSED = "audit-passed"
CERTIFICATE_ISSUED = "certificate-issued"
CERTIFICATE_STATUS_CHANGED = "certificate-status-changed"


async def audit_passed(session: AsyncSession, application: Application, audit: Audit) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=AUDIT_PASSED,
        key=application.enterprise_id,
        data={
            "application_id": application.id,
            "audit_id": audit.id,
            "enterprise_id": application.enterprise_id,
            "certification_body_id": application.body_id,
            "scope": application.scope,
            "province_code": application.province_code,
        },
    )


async def certificate_issued(session: AsyncSession, c: Certificate) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=CERTIFICATE_ISSUED,
        key=c.enterprise_id,
        data={
            "certificate_no": c.number,
            "enterprise_id": c.enterprise_id,
            "application_id": c.application_id,
            "certification_body_id": c.body_id,
            "province_code": c.province_code,
            "scope": c.scope,
            "issued_on": c.decision_on,
            "effective_on": c.effective_on,
            "valid_until": c.valid_until,
        },
    )


async def certificate_status_changed(session: AsyncSession, c: Certificate) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=CERTIFICATE_STATUS_CHANGED,
        key=c.enterprise_id,
        data={
            "certificate_no": c.number,
            "enterprise_id": c.enterprise_id,
            "province_code": c.province_code,
            "status": c.status,
            "reason": c.status_reason,
        },
    )


# For the gateway's dashboards (audits scheduled/completed); beyond DESIGN.md's minimum.
AUDIT_UPDATED = "audit-updated"


async def audit_updated(session: AsyncSession, audit: Audit, previous: str | None) -> None:
    await record_event(
        session,
        source=EVENT_SOURCE,
        topic=AUDIT_UPDATED,
        key=audit.enterprise_id,
        data={
            "audit_id": audit.id,
            "application_id": audit.application_id,
            "certificate_id": audit.certificate_id,
            "kind": audit.kind,
            "from_status": previous,
            "status": audit.status,
            "enterprise_id": audit.enterprise_id,
            "province_code": audit.province_code,
            "certification_body_id": audit.body_id,
            "starts_on": audit.starts_on,
            "ends_on": audit.ends_on,
        },
    )
