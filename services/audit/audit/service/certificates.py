"""认定证书 use cases: the decision that issues it, suspend/restore/withdraw, and the
lifecycle the calendar drives (missed surveillance, 6-month suspension, expiry)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from audit.db import repository
from audit.db.tables import Agency, Application, Audit, Certificate, Enterprise, SurveillancePlan
from audit.domain import certificates as rules
from audit.domain.application_flow import Action, months_after, months_before
from audit.domain.enums import AuditKind, CertificateStatus
from audit.events import publish
from audit.service import applications as application_service
from audit.service.commands import DecisionIn, StatusChangeIn
from audit.service.policies import APPLICATION, CERTIFICATE
from iims_common.errors import Conflict, NotFound, RuleViolation
from iims_common.fastread import read_one
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller
from iims_common.pagination import where_given
from iims_common.standard import STANDARD_EDITION, STANDARD_TITLE, number_family

log = logging.getLogger("iims.audit.certificates")


async def _decide(
    session: AsyncSession,
    application: Application,
    *,
    today: dt.date,
    effective_on: dt.date | None,
    valid_years: int,
    actor: str,
) -> Certificate:
    """认定决定: issue the certificate, plan its cycle, publish `certificate-issued` — once."""
    await application_service.check_decidable(session, application, today)
    effective = effective_on or today
    if effective < today:
        raise RuleViolation(
            "certificate.effective-before-decision",
            _(
                "The effective date cannot be before the decision ({isoformat})",
                isoformat=today.isoformat(),
            ),
        )
    enterprise = await session.get(Enterprise, application.enterprise_id)
    body = await session.get(Agency, application.body_id)
    until = rules.valid_until(effective, valid_years)
    certificate = Certificate(
        number=rules.new_number(today.year),
        application_id=application.id,
        enterprise_id=application.enterprise_id,
        enterprise_name=(enterprise.name if enterprise and enterprise.name else ""),
        province_code=application.province_code,
        site=application.site,
        scope=application.scope,
        standard=STANDARD_TITLE,
        edition=STANDARD_EDITION,
        body_id=application.body_id,
        body_name=body.name if body else "",
        decision_on=today,
        effective_on=effective,
        valid_until=until,
        status=CertificateStatus.valid,
    )
    session.add(certificate)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as e:  # the unique application_id: a second decision raced this one
        raise Conflict(_("A certificate was already issued for this application")) from e
    session.add_all(
        SurveillancePlan(certificate_id=certificate.id, seq=p.seq, kind=p.kind, due_by=p.due_by)
        for p in rules.cycle(today, until)
    )
    await application_service.transition(session, application, Action.decide, actor)
    await publish.certificate_issued(session, certificate)
    return certificate


async def _set_status(
    session: AsyncSession,
    certificate: Certificate,
    status: CertificateStatus,
    reason: str,
    today: dt.date,
) -> Certificate:
    certificate.status = status
    certificate.status_reason = reason
    certificate.suspended_on = today if status is CertificateStatus.suspended else None
    await session.flush()
    await publish.certificate_status_changed(session, certificate)
    return certificate


def _require(certificate: Certificate, *allowed: CertificateStatus, action: str) -> None:
    if certificate.status not in allowed:
        raise Conflict(
            _(
                "Cannot {action} a certificate that is {status}",
                action=action,
                status=certificate.status,
            ),
            current_state=certificate.status,
        )


async def _suspend(
    session: AsyncSession, certificate: Certificate, reason: str, today: dt.date
) -> Certificate:
    _require(certificate, CertificateStatus.valid, action="suspend")
    return await _set_status(session, certificate, CertificateStatus.suspended, reason, today)


async def missed_surveillance(
    session: AsyncSession, certificate: Certificate, today: dt.date
) -> list[rules.PlannedAudit]:
    rows = await session.scalars(
        sa.select(SurveillancePlan).where(
            SurveillancePlan.certificate_id == certificate.id,
            SurveillancePlan.done_on.is_(None),
            SurveillancePlan.due_by < today,
        )
    )
    return [rules.PlannedAudit(r.seq, AuditKind(r.kind), r.due_by) for r in rows]


async def _restore(
    session: AsyncSession, certificate: Certificate, reason: str, today: dt.date
) -> Certificate:
    _require(certificate, CertificateStatus.suspended, action="restore")
    # As of the suspension too: a certificate suspended for a missed audit stays suspended
    # until that audit is done.
    as_of = max(today, certificate.suspended_on or today)
    missed = [
        p
        for p in await missed_surveillance(session, certificate, as_of)
        if p.kind is AuditKind.surveillance
    ]
    if missed:
        raise RuleViolation(
            "certificate.surveillance-still-missing",
            _(
                "Surveillance audit {seq} (due by {isoformat}) has not been completed",
                seq=missed[0].seq,
                isoformat=missed[0].due_by.isoformat(),
            ),
        )
    if certificate.suspended_on and today > months_after(
        certificate.suspended_on, rules.MAX_SUSPENSION_MONTHS
    ):
        raise RuleViolation(
            "certificate.suspension-exceeded",
            _(
                "Suspended for more than {MAX_SUSPENSION_MONTHS} months: it must be withdrawn",
                MAX_SUSPENSION_MONTHS=rules.MAX_SUSPENSION_MONTHS,
            ),
        )
    return await _set_status(session, certificate, CertificateStatus.valid, reason, today)


async def _withdraw(
    session: AsyncSession, certificate: Certificate, reason: str, today: dt.date
) -> Certificate:
    _require(certificate, CertificateStatus.valid, CertificateStatus.suspended, action="withdraw")
    return await _set_status(session, certificate, CertificateStatus.withdrawn, reason, today)


async def cycle_audit_done(session: AsyncSession, audit: Audit, today: dt.date) -> None:
    """A completed surveillance/recertification audit fills its slot of the cycle."""
    await session.execute(
        sa.update(SurveillancePlan)
        .where(SurveillancePlan.audit_id == audit.id)
        .values(done_on=today)
    )


async def apply_lifecycle(session: AsyncSession, today: dt.date, limit: int = 500) -> int:
    """Apply what the calendar does to certificates today; returns how many changed."""
    overdue_plan = sa.exists().where(
        SurveillancePlan.certificate_id == Certificate.id,
        SurveillancePlan.done_on.is_(None),
        SurveillancePlan.kind == AuditKind.surveillance,
        SurveillancePlan.due_by < today,
    )
    candidates = await session.scalars(
        sa.select(Certificate)
        .where(
            sa.or_(
                sa.and_(
                    Certificate.status.in_([CertificateStatus.valid, CertificateStatus.suspended]),
                    Certificate.valid_until < today,
                ),
                sa.and_(Certificate.status == CertificateStatus.valid, overdue_plan),
                sa.and_(
                    Certificate.status == CertificateStatus.suspended,
                    Certificate.suspended_on < months_before(today, rules.MAX_SUSPENSION_MONTHS),
                ),
            )
        )
        .order_by(Certificate.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    changed = 0
    for certificate in list(candidates):
        change = rules.lifecycle_change(
            CertificateStatus(certificate.status),
            certificate.valid_until,
            certificate.suspended_on,
            await missed_surveillance(session, certificate, today),
            today,
        )
        if change is None:
            continue
        await _set_status(session, certificate, change.status, change.reason, today)
        if change.status is CertificateStatus.suspended:
            certificate.suspended_on = today
        changed += 1
    return changed


async def lifecycle_job(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    """The periodic job: batches until nothing is left to change today."""
    total = 0
    while True:
        async with sessionmaker() as session, session.begin():
            changed = await apply_lifecycle(session, dt.datetime.now(dt.UTC).date())
        total += changed
        if changed == 0:
            break
    if total:
        log.info("certificate lifecycle applied", extra={"changed": total})
    return total


# --- use cases: the one door per operation on a certificate ---------------------------------

NUMBER = re.compile(r"[A-Z0-9-]{1,40}")


def _checked_number(number: str, *, public: bool) -> str:
    """The number folded (full-width, lower case, padding all find the same one), or the
    plain 404 for anything we could not have issued; the public verification is told when
    the prefix alone says it is a person's 资质证书."""
    number = fold_identifier(number)
    if not NUMBER.fullmatch(number):  # not a number we could have issued: the same plain 404
        raise NotFound(_("No certificate with this number"))
    if public and number_family(number) == "qualification":
        # The prefix alone (not a lookup) says this is a person's 资质证书: point there.
        raise NotFound(
            _(
                "This is a person's qualification number (资质证书), not an enterprise certificate: verify it at /api/v1/public/qualifications/{number}"
            ),
            number_family="qualification",
        )
    return number


# What the public verification shows (schemas.PublicCertificate), and nothing more.
PUBLIC_COLUMNS: list[Any] = [
    Certificate.number,
    Certificate.enterprise_name,
    Certificate.site,
    Certificate.scope,
    Certificate.standard,
    Certificate.edition,
    Certificate.body_name,
    Certificate.effective_on,
    Certificate.valid_until,
    Certificate.status,
]


async def verify(request: Request, number: str) -> dict[str, Any]:
    """公开查询: the public fields of the certificate with this number, or the plain 404.
    Read with `iims_common.fastread` (one Core statement on the driver, no ORM session): the
    audit service cost ~1.6-3 ms CPU per verification through an ORM load (bench/README.md)."""
    number = _checked_number(number, public=True)
    stmt = sa.select(*PUBLIC_COLUMNS).where(Certificate.number == number)
    row = await read_one(request, stmt)
    if row is None:
        raise NotFound(_("No certificate with this number"))
    return row


async def load(
    session: AsyncSession, caller: Caller | None, number: str, *, for_update: bool = False
) -> Certificate:
    """By number, in the caller's scope; `caller=None` is the public verification (no scope,
    but no hints either). The number is folded first (full-width, lower case, padding all
    find the same one); anything else is one plain 404."""
    number = _checked_number(number, public=caller is None)
    return await CERTIFICATE.load(
        session,
        caller,
        number,
        for_update=for_update,
        not_found=_("No certificate with this number"),
    )


def query(
    caller: Caller,
    *,
    status: CertificateStatus | None = None,
    enterprise_id: uuid.UUID | None = None,
) -> sa.Select[Certificate]:
    return CERTIFICATE.query(caller, status=status, enterprise_id=enterprise_id)


def certified(province_code: str | None = None) -> sa.Select[Certificate]:
    """获证企业名录 (public): the valid certificates, optionally of one province."""
    return where_given(
        sa.select(Certificate).where(Certificate.status == CertificateStatus.valid),
        (Certificate.province_code, province_code),
    )


async def cycle(session: AsyncSession, caller: Caller, number: str) -> list[SurveillancePlan]:
    """The surveillance audits and the recertification the certificate's cycle needs."""
    certificate = await load(session, caller, number)
    rows = await session.scalars(
        sa.select(SurveillancePlan)
        .where(SurveillancePlan.certificate_id == certificate.id)
        .order_by(SurveillancePlan.seq)
    )
    return list(rows)


async def decide(
    session: AsyncSession,
    caller: Caller,
    application_id: uuid.UUID,
    command: DecisionIn,
    *,
    valid_years: int,
) -> Certificate:
    """认定决定 after the notice (see `_decide`)."""
    APPLICATION.authorize(caller, "decide")
    application = await APPLICATION.load(session, caller, application_id, for_update=True)
    return await _decide(
        session,
        application,
        today=repository.today(),
        effective_on=command.effective_on,
        valid_years=valid_years,
        actor=caller.client_key,
    )


async def change_status(
    session: AsyncSession, caller: Caller, number: str, action: str, command: StatusChangeIn
) -> Certificate:
    """`action` is `suspend`, `restore` or `withdraw` (the management organization's)."""
    CERTIFICATE.authorize(caller, action)
    certificate = await load(session, caller, number, for_update=True)
    rule = {"suspend": _suspend, "restore": _restore, "withdraw": _withdraw}[action]
    return await rule(session, certificate, command.reason, repository.today())
