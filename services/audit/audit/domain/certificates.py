"""认定证书: numbers, dates, the surveillance cycle and the lifecycle by date.

ISO/IEC 17021-1 cycle: a surveillance audit every calendar year, the first within 12 months
of the certification decision, recertification before expiry; a missed surveillance
suspends the certificate; a suspension lasts at most 6 months, then the certificate is
withdrawn; past valid_until it expires.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from audit.domain.application_flow import months_after
from audit.domain.enums import AuditKind, CertificateStatus
from iims_common.standard import CERTIFICATE_NUMBER_PREFIX

# Crockford-style alphabet without look-alikes; 10 symbols ≈ 49 bits, so numbers are not
# guessable in sequence and a miss says nothing about neighbours.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_SUSPENSION_MONTHS = 6
FIRST_SURVEILLANCE_MONTHS = 12


def new_number(year: int) -> str:
    """IIMS-RZ-2014-7K3Q9M2WXP (RZ: 认证/认定)."""
    return f"{CERTIFICATE_NUMBER_PREFIX}{year}-" + "".join(
        secrets.choice(_ALPHABET) for _ in range(10)
    )


def valid_until(effective_on: dt.date, years: int) -> dt.date:
    try:
        return effective_on.replace(year=effective_on.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return effective_on.replace(year=effective_on.year + years, day=28)


@dataclass(frozen=True)
class PlannedAudit:
    seq: int
    kind: AuditKind
    due_by: dt.date


def cycle(decision_on: dt.date, until: dt.date) -> list[PlannedAudit]:
    """The surveillance audits of a cycle and the recertification, with their due dates."""
    plans = [
        PlannedAudit(
            1, AuditKind.surveillance, months_after(decision_on, FIRST_SURVEILLANCE_MONTHS)
        )
    ]
    year = plans[0].due_by.year + 1
    # One surveillance per later calendar year while the certificate still runs past it.
    while dt.date(year, 12, 31) < until:
        plans.append(PlannedAudit(len(plans) + 1, AuditKind.surveillance, dt.date(year, 12, 31)))
        year += 1
    plans.append(PlannedAudit(len(plans) + 1, AuditKind.recertification, until))
    return plans


@dataclass(frozen=True)
class Change:
    status: CertificateStatus
    reason: str


def lifecycle_change(
    status: CertificateStatus,
    until: dt.date,
    suspended_on: dt.date | None,
    missed: list[PlannedAudit],
    today: dt.date,
) -> Change | None:
    """What the calendar does to a certificate today (None: nothing)."""
    if status in (CertificateStatus.withdrawn, CertificateStatus.expired):
        return None
    if today > until:
        return Change(CertificateStatus.expired, f"valid until {until.isoformat()}")
    if status is CertificateStatus.suspended and suspended_on is not None:
        if today > months_after(suspended_on, MAX_SUSPENSION_MONTHS):
            return Change(
                CertificateStatus.withdrawn,
                f"suspended since {suspended_on.isoformat()}, more than "
                f"{MAX_SUSPENSION_MONTHS} months",
            )
        return None
    overdue = [p for p in missed if p.kind is AuditKind.surveillance and p.due_by < today]
    if status is CertificateStatus.valid and overdue:
        return Change(
            CertificateStatus.suspended,
            f"surveillance audit {overdue[0].seq} was due by {overdue[0].due_by.isoformat()}",
        )
    return None
