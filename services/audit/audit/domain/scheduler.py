"""自动排期: teams and dates for many audits at once, without breaking a rule.

A CP-SAT model (OR-Tools) per certification body (auditors work for one body, so bodies are
independent sub-problems): each audit gets a start day and a team of `team_size` auditors,
one of them the lead; a person's audits, existing bookings and unavailable days never
overlap (NoOverlap over optional intervals); a member's qualification, impartiality and the
lead's qualification restrict which start days that member allows; at least one member is
competent for the enterprise's industry. The objective places as many audits as possible,
then as early as possible. Whatever cannot be placed is returned with the reason.

`greedy_first_fit` is the baseline the benchmark compares against.
"""

from __future__ import annotations

import datetime as dt
import math
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from audit.domain.enums import AuditKind, TeamRole
from audit.domain.team_rules import AuditDraft, Auditor, Enterprise, Span, check_team
from iims_common.i18n import Message, _


@dataclass(frozen=True)
class AuditRequest:
    """One audit to place: the next audit of an application (or a planned surveillance)."""

    ref: uuid.UUID
    kind: AuditKind
    body_id: uuid.UUID
    enterprise: Enterprise
    days: int
    earliest: dt.date
    latest: dt.date | None = None  # last day the audit may end (e.g. a surveillance due date)


@dataclass(frozen=True)
class Placement:
    ref: uuid.UUID
    kind: AuditKind
    span: Span
    team: tuple[tuple[uuid.UUID, TeamRole], ...]
    days: int
    onsite_days: int

    def draft(self, request: AuditRequest) -> AuditDraft:
        return AuditDraft(
            kind=self.kind,
            span=self.span,
            body_id=request.body_id,
            enterprise=request.enterprise,
            team=self.team,
            days=self.days,
            onsite_days=self.onsite_days,
        )


@dataclass(frozen=True)
class Unplaced:
    ref: uuid.UUID
    rule: str
    reason: Message


@dataclass
class Schedule:
    placements: list[Placement] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    seconds: float = 0.0
    optimal: bool = True
    # The solver's proven upper bound on how many could be placed (None for the baseline).
    upper_bound: int | None = None


def duration(days: int, team_size: int) -> int:
    """Calendar days a team of `team_size` needs for `days` 审核人日 (one audit day each per day)."""
    return max(1, math.ceil(days / team_size))


def _dates(window: Span) -> list[dt.date]:
    return [window.start + dt.timedelta(days=i) for i in range(window.days)]


@dataclass
class _Eligibility:
    """Per request: candidate start offsets, and per auditor the offsets they allow."""

    starts: list[int]
    member: dict[uuid.UUID, list[int]]
    lead: dict[uuid.UUID, list[int]]


class _Calendar:
    """Day offsets in the window, and per-auditor facts cached across the requests."""

    def __init__(self, window: Span) -> None:
        self.window = window
        self._qualified: dict[tuple[uuid.UUID, int, int, bool], bool] = {}

    def span(self, i: int, length: int) -> Span:
        day = self.window.start + dt.timedelta(days=i)
        return Span(day, day + dt.timedelta(days=length - 1))

    def qualified(self, a: Auditor, i: int, length: int, *, lead: bool) -> bool:
        key = (a.person_id, i, length, lead)
        if key not in self._qualified:
            self._qualified[key] = a.qualified(self.span(i, length), lead=lead)
        return self._qualified[key]


def _may_conflict(a: Auditor, enterprise: Enterprise) -> bool:
    orgs = {enterprise.enterprise_id, enterprise.consultancy_id}
    return any(q.organization_id in orgs for q in a.qualifications)


def _eligibility(
    request: AuditRequest, pool: Sequence[Auditor], cal: _Calendar, length: int
) -> _Eligibility:
    window = cal.window
    first = max(window.start, request.earliest)
    last_end = min(window.end, request.latest) if request.latest else window.end
    starts = [
        i
        for i in range(window.days)
        if window.start + dt.timedelta(days=i) >= first
        and window.start + dt.timedelta(days=i + length - 1) <= last_end
    ]
    member: dict[uuid.UUID, list[int]] = {}
    lead: dict[uuid.UUID, list[int]] = {}
    for a in pool:
        check_conflict = _may_conflict(a, request.enterprise)
        ok = [
            i
            for i in starts
            if cal.qualified(a, i, length, lead=False)
            and not (check_conflict and a.conflicted_with(request.enterprise, cal.span(i, length)))
        ]
        if ok:
            member[a.person_id] = ok
            ok_lead = [i for i in ok if cal.qualified(a, i, length, lead=True)]
            if ok_lead:
                lead[a.person_id] = ok_lead
    return _Eligibility(starts, member, lead)


def _why_not(
    request: AuditRequest, pool: Sequence[Auditor], e: _Eligibility, team_size: int
) -> Unplaced:
    ref = request.ref
    if not pool:
        return Unplaced(ref, "team.member-of-body", _("the certification body has no auditors"))
    if not e.starts:
        return Unplaced(ref, "schedule.outside-window", _("no start day fits the window and dates"))
    if not e.lead:
        return Unplaced(
            ref,
            "team.lead-qualified",
            _("no lead auditor of the body is qualified and impartial on any day of the window"),
        )
    if len(e.member) < team_size:
        return Unplaced(
            ref,
            "team.member-qualified",
            _(
                "fewer than {team_size} qualified, impartial auditors in the body",
                team_size=team_size,
            ),
        )
    by_id = {a.person_id: a for a in pool}
    if not any(by_id[p].covers_industry(request.enterprise.industry_code) for p in e.member):
        return Unplaced(
            ref,
            "team.industry-competence",
            _(
                "no eligible auditor is competent for industry {industry_code}",
                industry_code=request.enterprise.industry_code,
            ),
        )
    return Unplaced(
        ref,
        "schedule.no-capacity",
        _("the eligible auditors are booked or unavailable on every possible day of the window"),
    )


def _placement(
    request: AuditRequest,
    window: Span,
    start: int,
    length: int,
    team: list[tuple[uuid.UUID, TeamRole]],
) -> Placement:
    day = window.start + dt.timedelta(days=start)
    return Placement(
        ref=request.ref,
        kind=request.kind,
        span=Span(day, day + dt.timedelta(days=length - 1)),
        team=tuple(team),
        days=request.days,
        onsite_days=request.days,
    )


def _busy(a: Auditor, window: Span) -> list[Span]:
    spans = [s for _, s in a.bookings] + list(a.unavailable)
    return [s for s in spans if s.overlaps(window)]


def _by_body(
    requests: Iterable[AuditRequest], auditors: Iterable[Auditor]
) -> dict[uuid.UUID, tuple[list[AuditRequest], list[Auditor]]]:
    groups: dict[uuid.UUID, tuple[list[AuditRequest], list[Auditor]]] = defaultdict(
        lambda: ([], [])
    )
    for r in requests:
        groups[r.body_id][0].append(r)
    for a in auditors:
        if a.body_id is not None and a.body_id in groups:
            groups[a.body_id][1].append(a)
    return groups


def schedule(
    requests: Sequence[AuditRequest],
    auditors: Sequence[Auditor],
    window: Span,
    *,
    team_size: int = 2,
    time_limit_s: float = 30.0,
    workers: int = 2,
) -> Schedule:
    """Place as many requests as possible inside `window` (CP-SAT, one model per body).

    `time_limit_s` is the whole budget, shared among bodies by their number of requests. The
    greedy placement seeds each model as a hint, so the answer is never worse than it.
    """
    began = time.perf_counter()
    result = Schedule()
    cal = _Calendar(window)
    groups = _by_body(requests, auditors)
    for body_requests, pool in groups.values():
        budget = max(0.5, time_limit_s * len(body_requests) / max(1, len(requests)))
        _solve_body(body_requests, pool, cal, team_size, budget, workers, result)
    result.seconds = time.perf_counter() - began
    return result


@dataclass
class _Choice:
    request: AuditRequest
    length: int
    eligibility: _Eligibility
    placed: cp_model.IntVar
    start: cp_model.IntVar
    members: dict[uuid.UUID, cp_model.IntVar]
    leads: dict[uuid.UUID, cp_model.IntVar]


def _solve_body(
    requests: list[AuditRequest],
    pool: list[Auditor],
    cal: _Calendar,
    team_size: int,
    time_limit_s: float,
    workers: int,
    result: Schedule,
) -> None:
    window = cal.window
    greedy = _greedy_body(requests, pool, cal, team_size)
    model = cp_model.CpModel()
    by_id = {a.person_id: a for a in pool}
    intervals: dict[uuid.UUID, list[cp_model.IntervalVar]] = defaultdict(list)
    choices: list[_Choice] = []
    for r in requests:
        length = duration(r.days, team_size)
        e = _eligibility(r, pool, cal, length)
        competent = [p for p in e.member if by_id[p].covers_industry(r.enterprise.industry_code)]
        if not e.starts or not e.lead or len(e.member) < team_size or not competent:
            result.unplaced.append(_why_not(r, pool, e, team_size))
            continue
        c = _Choice(
            r,
            length,
            e,
            model.new_bool_var(f"placed_{r.ref}"),
            model.new_int_var_from_domain(cp_model.Domain.from_values(e.starts), f"s_{r.ref}"),
            {},
            {},
        )
        for p, allowed in e.member.items():
            on = c.members[p] = model.new_bool_var(f"on_{r.ref}_{p}")
            if len(allowed) < len(e.starts):
                model.add_linear_expression_in_domain(
                    c.start, cp_model.Domain.from_values(allowed)
                ).only_enforce_if(on)
            if p in e.lead:
                lead = c.leads[p] = model.new_bool_var(f"lead_{r.ref}_{p}")
                model.add_implication(lead, on)
                if len(e.lead[p]) < len(e.starts):
                    model.add_linear_expression_in_domain(
                        c.start, cp_model.Domain.from_values(e.lead[p])
                    ).only_enforce_if(lead)
            intervals[p].append(
                model.new_optional_fixed_size_interval_var(c.start, length, on, f"i_{r.ref}_{p}")
            )
        model.add(sum(c.leads.values()) == c.placed)
        model.add(sum(c.members.values()) == team_size * c.placed)
        model.add(sum(c.members[p] for p in competent) >= c.placed)
        _hint(model, c, greedy.get(r.ref), window)
        choices.append(c)
    if not choices:
        return
    result.upper_bound = result.upper_bound or 0
    for p, ivs in intervals.items():
        fixed = [
            model.new_fixed_size_interval_var(
                (max(s.start, window.start) - window.start).days,
                (min(s.end, window.end) - max(s.start, window.start)).days + 1,
                f"busy_{p}_{i}",
            )
            for i, s in enumerate(_busy(by_id[p], window))
        ]
        if len(ivs) + len(fixed) > 1:
            model.add_no_overlap(ivs + fixed)
    # Phase 1: as many audits as possible. Phase 2: the same number, as early as possible
    # (one lexicographic objective made phase 1 much slower to converge).
    placed_total = sum(c.placed for c in choices)
    model.maximize(placed_total)
    solver = _solver(time_limit_s * 0.7, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.optimal = False
        _take(result, greedy, choices, pool, team_size)
        return
    best = sum(solver.boolean_value(c.placed) for c in choices)
    result.upper_bound = (result.upper_bound or 0) + int(solver.best_objective_bound + 1e-6)
    if best < len(greedy):  # cannot happen with the hint kept, but never do worse than it
        result.optimal = False
        _take(result, greedy, choices, pool, team_size)
        return
    result.optimal = result.optimal and status == cp_model.OPTIMAL
    chosen = {
        c.request.ref: _from_solution(solver, c, window)
        for c in choices
        if solver.boolean_value(c.placed)
    }
    model.clear_hints()
    for c in choices:
        _hint(model, c, chosen.get(c.request.ref), window)
    model.add(placed_total >= best)
    model.minimize(sum(c.start for c in choices))
    early = _solver(time_limit_s * 0.3, workers)
    if early.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = {
            c.request.ref: _from_solution(early, c, window)
            for c in choices
            if early.boolean_value(c.placed)
        }
    _take(result, chosen, choices, pool, team_size)


def _solver(time_limit_s: float, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.2, time_limit_s)
    solver.parameters.num_workers = workers
    return solver


def _take(
    result: Schedule,
    chosen: dict[uuid.UUID, Placement],
    choices: list[_Choice],
    pool: list[Auditor],
    team_size: int,
) -> None:
    for c in choices:
        if c.request.ref in chosen:
            result.placements.append(chosen[c.request.ref])
        else:
            result.unplaced.append(_why_not(c.request, pool, c.eligibility, team_size))


def _hint(model: cp_model.CpModel, c: _Choice, p: Placement | None, window: Span) -> None:
    model.add_hint(c.placed, p is not None)
    if p is None:
        return
    model.add_hint(c.start, (p.span.start - window.start).days)
    team = dict(p.team)
    for person, var in c.members.items():
        model.add_hint(var, person in team)
    for person, var in c.leads.items():
        model.add_hint(var, team.get(person) is TeamRole.lead)


def _from_solution(solver: cp_model.CpSolver, c: _Choice, window: Span) -> Placement:
    lead = next(p for p, v in c.leads.items() if solver.boolean_value(v))
    team = [(lead, TeamRole.lead)] + [
        (p, TeamRole.member) for p, v in c.members.items() if p != lead and solver.boolean_value(v)
    ]
    return _placement(c.request, window, solver.value(c.start), c.length, team)


def greedy_first_fit(
    requests: Sequence[AuditRequest],
    auditors: Sequence[Auditor],
    window: Span,
    *,
    team_size: int = 2,
) -> Schedule:
    """Baseline: each request in turn, the first day with a free qualified team (no search)."""
    began = time.perf_counter()
    result = Schedule(optimal=False)
    cal = _Calendar(window)
    for body_requests, pool in _by_body(requests, auditors).values():
        placed = _greedy_body(body_requests, pool, cal, team_size)
        result.placements.extend(placed.values())
        for r in body_requests:
            if r.ref not in placed:
                e = _eligibility(r, pool, cal, duration(r.days, team_size))
                result.unplaced.append(_why_not(r, pool, e, team_size))
    result.seconds = time.perf_counter() - began
    return result


def _greedy_body(
    requests: list[AuditRequest], pool: list[Auditor], cal: _Calendar, team_size: int
) -> dict[uuid.UUID, Placement]:
    people = {a.person_id: a for a in pool}
    placed: dict[uuid.UUID, Placement] = {}
    for r in sorted(requests, key=lambda r: r.earliest):
        length = duration(r.days, team_size)
        e = _eligibility(r, pool, cal, length)
        for i in e.starts:
            team = _first_team(r, people, e, cal.span(i, length), i, team_size)
            if team:
                placement = placed[r.ref] = _placement(r, cal.window, i, length, team)
                for p, _role in team:
                    a = people[p]
                    people[p] = replace(a, bookings=(*a.bookings, (r.ref, placement.span)))
                break
    return placed


def _first_team(
    r: AuditRequest,
    people: dict[uuid.UUID, Auditor],
    e: _Eligibility,
    span: Span,
    i: int,
    team_size: int,
) -> list[tuple[uuid.UUID, TeamRole]] | None:
    free = [p for p, allowed in e.member.items() if i in allowed and people[p].is_free(span)]
    leads = [p for p in free if i in e.lead.get(p, ())]
    industry = r.enterprise.industry_code
    for lead in leads:
        rest = [p for p in free if p != lead]
        if people[lead].covers_industry(industry):
            others = rest[: team_size - 1]
        else:
            competent = [p for p in rest if people[p].covers_industry(industry)]
            if not competent:
                continue
            others = [competent[0], *[p for p in rest if p != competent[0]][: team_size - 2]]
        if len(others) == team_size - 1:
            return [(lead, TeamRole.lead)] + [(p, TeamRole.member) for p in others]
    return None


def verify(
    result: Schedule, requests: Sequence[AuditRequest], auditors: Sequence[Auditor], window: Span
) -> list[str]:
    """Every rule a schedule breaks, checked placement by placement with the same
    `check_team` the API uses, booking as it goes (so two proposed audits of one person
    clash too); plus the window, the earliest start and the latest end of each request."""
    people = {a.person_id: a for a in auditors}
    by_ref = {r.ref: r for r in requests}
    broken: list[str] = []
    for p in result.placements:
        request = by_ref[p.ref]
        broken += [v.rule for v in check_team(p.draft(request), people)]
        if not (window.start <= p.span.start and p.span.end <= window.end):
            broken.append("schedule.window")
        if p.span.start < request.earliest or (request.latest and p.span.end > request.latest):
            broken.append("schedule.request-dates")
        for person, _role in p.team:
            a = people[person]
            people[person] = replace(a, bookings=(*a.bookings, (p.ref, p.span)))
    return broken
