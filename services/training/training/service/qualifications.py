"""资质证书 use cases: grant on passing, promote to lead auditor, revoke, verify.

The doors (`load`, `revoke`, `promote`, …) authorize through `QUALIFICATION`, load in scope,
apply the rule (`training.domain.qualifications`), write and record the event."""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.db import utcnow
from iims_common.errors import NotFound, StateConflict
from iims_common.i18n import _
from iims_common.identifiers import fold_identifier
from iims_common.identity import Caller
from iims_common.standard import number_family
from training.db.tables import Enrollment, Person, Qualification
from training.domain import qualifications as rules
from training.domain.enums import QualificationKind
from training.domain.programmes import Programme
from training.events import publish
from training.service.commands import LeadAuditorIn, RevokeIn
from training.service.policies import QUALIFICATION


async def grant(
    session: AsyncSession,
    *,
    person: Person,
    kind: QualificationKind,
    granted_on: dt.date,
    valid_years: int,
    enrollment: Enrollment | None,
    basis: str,
) -> Qualification:
    q = Qualification(
        number=rules.new_number(kind, granted_on.year),
        person_id=person.id,
        enrollment_id=enrollment.id if enrollment else None,
        organization_id=person.organization_id,
        province_code=person.province_code,
        kind=kind,
        holder_name=person.name,
        issuer=rules.ISSUERS[kind],
        granted_on=granted_on,
        valid_until=rules.valid_until(granted_on, valid_years),
        status="valid",
        basis=basis,
    )
    session.add(q)
    await session.flush()
    await publish.qualification_granted(session, q)
    return q


async def grant_for_passed_exam(
    session: AsyncSession,
    enrollment: Enrollment,
    programme: Programme,
    granted_on: dt.date,
    valid_years: int,
) -> Qualification | None:
    """All modules' hours done and the exam passed: the programme's qualification, once."""
    if programme.confers is None:
        return None
    existing = (
        await session.scalars(
            sa.select(Qualification).where(Qualification.enrollment_id == enrollment.id)
        )
    ).first()
    if existing is not None:
        return existing
    person = await session.get(Person, enrollment.person_id)
    assert person is not None
    return await grant(
        session,
        person=person,
        kind=programme.confers,
        granted_on=granted_on,
        valid_years=valid_years,
        enrollment=enrollment,
        basis=f"{programme.name}: attendance complete, exam {enrollment.exam_score}/{programme.pass_mark}",
    )


async def by_number(
    session: AsyncSession, number: str, *, for_update: bool = False
) -> Qualification:
    """By number as a person types it: folded first (full-width, lower case, padding — the
    numbers are Crockford-style and upper-case), so any spelling finds the same one."""
    number = fold_identifier(number)
    if number_family(number) == "certificate":
        # The prefix alone (not a lookup) says this is an enterprise's 认定证书: point there.
        raise NotFound(
            _(
                "This is an enterprise certificate number (认定证书), not a person's qualification: verify it at /api/v1/public/certificates/{number}"
            ),
            number_family="certificate",
        )
    stmt = sa.select(Qualification).where(Qualification.number == number)
    if for_update:
        stmt = stmt.with_for_update()
    q = (await session.scalars(stmt)).first()
    if q is None:
        raise NotFound(_("No qualification with this number"))
    return q


async def promote_to_lead(
    session: AsyncSession,
    auditor: Qualification,
    audits_as_member: int,
    evidence: str,
    today: dt.date,
    valid_years: int,
    attested_on: dt.date | None = None,
) -> Qualification:
    """审核组长, dated `attested_on` (default today). Raises RuleViolation
    qualification.lead-date-* / lead-needs-auditor / lead-audits."""
    # Dated on the attestation day (default today): the auditor qualification must be valid
    # then, so the programme's first 审核组长 (attested in 2014) are checked against 2014.
    on = attested_on or today
    rules.check_dated(on, auditor.granted_on, today, "lead")
    rules.check_lead_auditor(
        auditor.kind,
        rules.effective_status(auditor.status, auditor.valid_until, on),
        audits_as_member,
    )
    person = await session.get(Person, auditor.person_id)
    assert person is not None
    return await grant(
        session,
        person=person,
        kind=QualificationKind.lead_auditor,
        granted_on=on,
        valid_years=valid_years,
        enrollment=None,
        basis=f"auditor {auditor.number}; {audits_as_member} audits as team member; {evidence}",
    )


async def _revoke(session: AsyncSession, q: Qualification, reason: str) -> Qualification:
    if q.status == "revoked":
        raise StateConflict(
            "qualification.already-revoked", _("The qualification is already revoked")
        )
    q.status = "revoked"
    q.revoked_reason = reason
    await session.flush()
    await publish.qualification_revoked(session, q)
    return q


# --- use cases: the one door per operation on a qualification -------------------------------


async def load(
    session: AsyncSession, caller: Caller, number: str, *, for_update: bool = False
) -> Qualification:
    """By number as typed, in the caller's scope: one outside it is the same plain 404."""
    q = await by_number(session, number, for_update=for_update)
    return await QUALIFICATION.load(
        session, caller, q.id, by="id", not_found=_("No qualification with this number")
    )


def query(
    caller: Caller,
    *,
    kind: QualificationKind | None = None,
    person_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> sa.Select[Qualification]:
    return QUALIFICATION.query(
        caller, kind=kind, person_id=person_id, organization_id=organization_id
    )


async def revoke(
    session: AsyncSession, caller: Caller, number: str, command: RevokeIn
) -> Qualification:
    """Revoke (publishes qualification-revoked); revoking twice is a 409."""
    QUALIFICATION.authorize(caller, "revoke")
    q = await load(session, caller, number, for_update=True)
    return await _revoke(session, q, command.reason)


async def promote(
    session: AsyncSession, caller: Caller, number: str, command: LeadAuditorIn, *, valid_years: int
) -> Qualification:
    """审核组长 for a valid auditor with enough audits as team member (a new qualification)."""
    QUALIFICATION.authorize(caller, "promote")
    auditor = await load(session, caller, number, for_update=True)
    return await promote_to_lead(
        session,
        auditor,
        command.audits_as_member,
        command.evidence,
        utcnow().date(),
        valid_years,
        command.attested_on,
    )


async def public(session: AsyncSession, number: str) -> Qualification:
    """Public verification (no caller): any number longer than ours is the same plain 404."""
    if len(number) > 40:
        raise NotFound(_("No qualification with this number"))
    return await by_number(session, number)
