"""Events the audit service publishes (contracts in `iims_contracts.audit`), through the
outbox. Keyed by the enterprise id: every event about one enterprise's certification stays
in order."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from audit.db.tables import Application, Audit, Certificate
from iims_common.events.outbox import record
from iims_contracts.audit import (
    AuditPassed,
    AuditUpdated,
    CertificateIssued,
    CertificateStatusChanged,
)


async def audit_passed(session: AsyncSession, application: Application, audit: Audit) -> None:
    await record(
        session,
        AuditPassed(
            application_id=application.id,
            audit_id=audit.id,
            enterprise_id=application.enterprise_id,
            certification_body_id=application.body_id,
            scope=application.scope,
            province_code=application.province_code,
        ),
    )


async def certificate_issued(session: AsyncSession, c: Certificate) -> None:
    await record(
        session,
        CertificateIssued(
            certificate_no=c.number,
            enterprise_id=c.enterprise_id,
            application_id=c.application_id,
            certification_body_id=c.body_id,
            province_code=c.province_code,
            scope=c.scope,
            issued_on=c.decision_on,
            effective_on=c.effective_on,
            valid_until=c.valid_until,
        ),
    )


async def certificate_status_changed(session: AsyncSession, c: Certificate) -> None:
    await record(
        session,
        CertificateStatusChanged(
            certificate_no=c.number,
            enterprise_id=c.enterprise_id,
            province_code=c.province_code,
            status=c.status,
            reason=c.status_reason,
        ),
    )


async def audit_updated(session: AsyncSession, audit: Audit, previous: str | None) -> None:
    """For the gateway's dashboards (audits scheduled/completed)."""
    await record(
        session,
        AuditUpdated(
            audit_id=audit.id,
            application_id=audit.application_id,
            certificate_id=audit.certificate_id,
            kind=audit.kind,
            from_status=previous,
            status=audit.status,
            enterprise_id=audit.enterprise_id,
            province_code=audit.province_code,
            certification_body_id=audit.body_id,
            starts_on=audit.starts_on,
            ends_on=audit.ends_on,
        ),
    )
