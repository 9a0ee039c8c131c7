"""The rules every audit (and every proposal of the scheduler) must keep, as one pure check.

Each refusal names its rule and, where it is about a person, the member. The API raises the
first one as a 422; the scheduler's property test runs the same check over everything it
proposes, so the two cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from audit.domain.enums import AuditKind, QualificationKind, TeamRole
from iims_common.i18n import Message, _

IMPARTIALITY_YEARS = 2
MIN_ONSITE_SHARE = 0.8

# 审核人日 by enterprise size for the initial audit (ours, after the IAF MD 5 idea that effort
# grows with the organisation): (stage 1, stage 2). Surveillance is a third of the initial
# total, recertification two thirds (ISO/IEC 17021-1 practice), rounded up.
INITIAL_AUDIT_DAYS: dict[str, tuple[int, int]] = {
    "large": (2, 8),
    "medium": (2, 6),
    "small": (1, 4),
    "micro": (1, 3),
}


def audit_days(kind: AuditKind, size: str | None) -> int:
    """Minimum 审核人日 for an audit of this kind at an enterprise of this size."""
    stage1, stage2 = INITIAL_AUDIT_DAYS.get(size or "medium", INITIAL_AUDIT_DAYS["medium"])
    return {
        AuditKind.stage1: stage1,
        AuditKind.stage2: stage2,
        AuditKind.surveillance: math.ceil((stage1 + stage2) / 3),
        AuditKind.recertification: math.ceil(2 * (stage1 + stage2) / 3),
    }[kind]


def min_onsite_days(kind: AuditKind, days: int) -> int:
    """Stage 1 is a document review and may be off site; every other audit ≥ 80 % on site."""
    return 0 if kind is AuditKind.stage1 else math.ceil(MIN_ONSITE_SHARE * days)


@dataclass(frozen=True, order=True)
class Span:
    """Calendar days, both ends included."""

    start: dt.date
    end: dt.date

    def overlaps(self, other: Span) -> bool:
        return self.start <= other.end and other.start <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Qualification:
    number: str
    kind: QualificationKind
    organization_id: uuid.UUID | None
    granted_on: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None = None

    def covers(self, span: Span) -> bool:
        if self.revoked_on is not None and self.revoked_on <= span.end:
            return False
        return self.granted_on <= span.start and span.end <= self.valid_until

    @property
    def active(self) -> Span:
        """When the holder worked for `organization_id` (as far as the platform knows)."""
        end = (
            self.valid_until if self.revoked_on is None else min(self.valid_until, self.revoked_on)
        )
        return Span(self.granted_on, max(end, self.granted_on))


AUDITOR_KINDS = (QualificationKind.auditor, QualificationKind.lead_auditor)


@dataclass(frozen=True)
class Auditor:
    person_id: uuid.UUID
    name: str
    body_id: uuid.UUID | None
    qualifications: tuple[Qualification, ...] = ()
    competences: frozenset[str] = frozenset()
    unavailable: tuple[Span, ...] = ()
    # (audit id, dates) of the audits the person is already on, whatever the body.
    bookings: tuple[tuple[uuid.UUID, Span], ...] = ()

    def qualified(self, span: Span, *, lead: bool) -> bool:
        kinds = (QualificationKind.lead_auditor,) if lead else AUDITOR_KINDS
        return any(q.kind in kinds and q.covers(span) for q in self.qualifications)

    def is_free(self, span: Span, ignore: uuid.UUID | None = None) -> bool:
        return not any(s.overlaps(span) for a, s in self.bookings if a != ignore) and not any(
            u.overlaps(span) for u in self.unavailable
        )

    def covers_industry(self, industry_code: str) -> bool:
        return any(industry_code.startswith(c) for c in self.competences)

    def conflicted_with(self, enterprise: Enterprise, span: Span) -> Message | None:
        """Why this person may not audit the enterprise (impartiality), or None."""
        window = Span(_years_before(span.start, IMPARTIALITY_YEARS), span.end)
        for q in self.qualifications:
            if q.organization_id is None or not q.active.overlaps(window):
                continue
            if q.organization_id == enterprise.enterprise_id:
                return _("works for the enterprise")
            if enterprise.consultancy_id and q.organization_id == enterprise.consultancy_id:
                return _(
                    "worked for the enterprise's consultancy within {years} years ({number})",
                    years=IMPARTIALITY_YEARS,
                    number=q.number,
                )
        return None


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: uuid.UUID
    industry_code: str
    size: str | None = None
    consultancy_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AuditDraft:
    kind: AuditKind
    span: Span
    body_id: uuid.UUID
    enterprise: Enterprise
    team: tuple[tuple[uuid.UUID, TeamRole], ...]
    days: int
    onsite_days: int
    audit_id: uuid.UUID | None = None  # when re-checking an existing audit


@dataclass(frozen=True)
class Violation:
    rule: str
    detail: Message
    member: uuid.UUID | None = None


@dataclass
class Check:
    violations: list[Violation] = field(default_factory=list)

    def add(self, rule: str, detail: Message, member: uuid.UUID | None = None) -> None:
        self.violations.append(Violation(rule, detail, member))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_effort(draft: AuditDraft, check: Check) -> None:
    minimum = audit_days(draft.kind, draft.enterprise.size)
    if draft.days < minimum:
        check.add(
            "audit.days-below-minimum",
            _(
                "a {kind} audit of a {size} enterprise needs at least {minimum} audit days, "
                "not {days}",
                kind=draft.kind.value,
                size=draft.enterprise.size or "medium",
                minimum=minimum,
                days=draft.days,
            ),
        )
    if draft.onsite_days > draft.days:
        check.add("audit.onsite-share", _("on-site days cannot exceed audit days"))
    elif draft.onsite_days < min_onsite_days(draft.kind, draft.days):
        check.add(
            "audit.onsite-share",
            _(
                "at least {percent}% of a {kind} audit is on site: {onsite} of {days} days",
                percent=int(MIN_ONSITE_SHARE * 100),
                kind=draft.kind.value,
                onsite=min_onsite_days(draft.kind, draft.days),
                days=draft.days,
            ),
        )
    if draft.team and len(draft.team) * draft.span.days < draft.days:
        check.add(
            "audit.team-too-small-for-days",
            _(
                "{team} auditor(s) over {days} day(s) cannot deliver {audit_days} audit days",
                team=len(draft.team),
                days=draft.span.days,
                audit_days=draft.days,
            ),
        )


def check_team(draft: AuditDraft, auditors: Mapping[uuid.UUID, Auditor]) -> list[Violation]:
    """Every rule an audit's team and dates must keep; empty when the audit may stand."""
    check = Check()
    check_effort(draft, check)
    leads = [p for p, role in draft.team if role is TeamRole.lead]
    if len(leads) != 1:
        check.add(
            "team.one-lead", _("a team has exactly one lead auditor, not {leads}", leads=len(leads))
        )
    people = [p for p, _ in draft.team]
    if len(set(people)) != len(people):
        check.add("team.one-lead", _("a person appears twice in the team"))
    for person_id, role in draft.team:
        _check_member(draft, auditors.get(person_id), person_id, role, check)
    members = [auditors[p] for p in people if p in auditors]
    if members and not any(a.covers_industry(draft.enterprise.industry_code) for a in members):
        check.add(
            "team.industry-competence",
            _(
                "no member is competent for industry {industry_code} (GB/T 4754)",
                industry_code=draft.enterprise.industry_code,
            ),
        )
    return check.violations


def _check_member(
    draft: AuditDraft,
    auditor: Auditor | None,
    person_id: uuid.UUID,
    role: TeamRole,
    check: Check,
) -> None:
    if auditor is None:
        check.add("team.member-qualified", _("not a known auditor"), person_id)
        return
    span = draft.span
    if not auditor.qualified(span, lead=False):
        check.add(
            "team.member-qualified",
            _(
                "{name} holds no auditor qualification valid from {start} to {end}",
                name=auditor.name,
                start=span.start.isoformat(),
                end=span.end.isoformat(),
            ),
            person_id,
        )
    elif role is TeamRole.lead and not auditor.qualified(span, lead=True):
        check.add(
            "team.lead-qualified",
            _(
                "{name} holds no lead_auditor qualification valid over the audit dates",
                name=auditor.name,
            ),
            person_id,
        )
    if auditor.body_id != draft.body_id:
        check.add(
            "team.member-of-body",
            _(
                "{name} does not work for the certification body of this application",
                name=auditor.name,
            ),
            person_id,
        )
    if any(s.overlaps(span) for a, s in auditor.bookings if a != draft.audit_id):
        check.add(
            "team.double-booked",
            _("{name} is on another audit overlapping these dates", name=auditor.name),
            person_id,
        )
    if any(u.overlaps(span) for u in auditor.unavailable):
        check.add(
            "team.unavailable",
            _("{name} is unavailable on these dates", name=auditor.name),
            person_id,
        )
    conflict = auditor.conflicted_with(draft.enterprise, span)
    if conflict:
        check.add(
            "team.impartiality",
            _("{name} {conflict}", name=auditor.name, conflict=conflict),
            person_id,
        )


def check_stage_order(kind: AuditKind, stage1_done: Span | None, span: Span) -> list[Violation]:
    """Stage 2 (现场审核) only after stage 1 (文件审核) is completed."""
    if kind is not AuditKind.stage2:
        return []
    if stage1_done is None:
        return [Violation("audit.stage1-not-completed", _("stage 1 has not been completed"))]
    if span.start <= stage1_done.end:
        return [
            Violation(
                "audit.stage1-not-completed",
                _(
                    "stage 2 must start after stage 1 ended on {end}",
                    end=stage1_done.end.isoformat(),
                ),
            )
        ]
    return []


def first(violations: Iterable[Violation]) -> Violation | None:
    return next(iter(violations), None)
