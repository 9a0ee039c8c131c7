"""Rules of the pilot programme (贯标试点): selection quota, pilot lifecycle, province plans."""

from __future__ import annotations

import datetime as dt

from iims_common.errors import RuleViolation, StateConflict
from iims_common.i18n import _
from registry.domain.enums import (
    AgencyKind,
    AgencyStatus,
    EnterpriseStatus,
    PilotStatus,
    PlanStatus,
)

# enrolled → implementing → basically_compliant → certified; anything not certified → withdrawn.
PILOT_TRANSITIONS: dict[PilotStatus, frozenset[PilotStatus]] = {
    PilotStatus.enrolled: frozenset({PilotStatus.implementing, PilotStatus.withdrawn}),
    PilotStatus.implementing: frozenset({PilotStatus.basically_compliant, PilotStatus.withdrawn}),
    PilotStatus.basically_compliant: frozenset(
        {PilotStatus.certified, PilotStatus.implementing, PilotStatus.withdrawn}
    ),
    PilotStatus.certified: frozenset(),
    PilotStatus.withdrawn: frozenset(),
}
# `certified` is reached from the certification decision (certificate-issued), not by hand.
MANUAL_TARGETS = frozenset(
    {PilotStatus.implementing, PilotStatus.basically_compliant, PilotStatus.withdrawn}
)


def check_pilot_transition(current: PilotStatus, target: PilotStatus, *, manual: bool) -> None:
    if manual and target not in MANUAL_TARGETS:
        raise RuleViolation(
            "pilot.certified-by-certificate-only",
            _(
                "A pilot becomes '{target}' only through the certification decision (a certificate issued), not by a status change",
                target=target,
            ),
        )
    if target not in PILOT_TRANSITIONS[current]:
        allowed = ", ".join(sorted(PILOT_TRANSITIONS[current])) or "none"
        raise StateConflict(
            "pilot.transition",
            _(
                "A pilot cannot go from '{current}' to '{target}' (allowed: {allowed})",
                current=current,
                target=target,
                allowed=allowed,
            ),
            current_status=current.value,
        )


def check_quota(selected: int, quota: int) -> None:
    if selected >= quota:
        raise RuleViolation(
            "batch.pilot-quota",
            _(
                "The batch's pilot quota of {quota} is used up ({selected} pilots selected)",
                quota=quota,
                selected=selected,
            ),
            pilot_quota=quota,
            selected=selected,
        )


def check_enterprise_active(status: EnterpriseStatus) -> None:
    if status is EnterpriseStatus.deregistered:
        raise StateConflict(
            "enterprise.deregistered",
            _("The enterprise is deregistered (已注销) and cannot take part"),
        )


def check_consultancy(kind: AgencyKind, status: AgencyStatus) -> None:
    if kind is not AgencyKind.consultancy:
        raise RuleViolation(
            "pilot.consultancy-kind", _("The assigned agency must be a consultancy (贯标服务机构)")
        )
    if status is not AgencyStatus.authorized:
        raise RuleViolation(
            "pilot.consultancy-authorized",
            _(
                "The consultancy is '{status}'; only an authorized consultancy can be assigned",
                status=status,
            ),
        )


def plan_status(
    deadline: dt.date | None, submitted_at: dt.datetime | None, today: dt.date
) -> PlanStatus:
    """本区域贯标工作落实方案: on time, late, pending, or missing past the deadline."""
    if submitted_at is not None:
        if deadline is None or submitted_at.date() <= deadline:
            return PlanStatus.submitted
        return PlanStatus.submitted_late
    if deadline is not None and today > deadline:
        return PlanStatus.late
    return PlanStatus.pending
