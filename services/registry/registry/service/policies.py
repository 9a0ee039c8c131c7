"""One policy per aggregate of the registry: which roles may perform each use case, which
rows each role sees (the scopes in `registry.db.repository` and `registry.db.work_repository`),
and the one scoped loader (`iims_common.policy.Policy.load`). Every use case asks here.

The rules that depend on the object as well as the role (an agency's kind, a task's assignee,
a meeting's province, a budget's holder, a list's kind, a document's publisher, a candidate's
body) are the policies' `rules` below: the use case calls `POLICY.authorize(caller, action,
subject)` once the subject is known, so who may act on each aggregate is answered here only."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy as sa

from iims_common.i18n import Message, _
from iims_common.identity import Caller, Role
from iims_common.policy import Policy
from iims_common.scoping import Scope, everything
from registry.db import repository
from registry.db import work_repository as work
from registry.db.tables import (
    Agency,
    Batch,
    Enterprise,
    Pilot,
    ProvincePlan,
    Recommendation,
    RecommendingUnit,
)
from registry.db.work import (
    AgencyList,
    CallCandidate,
    CertificationCall,
    Document,
    FundAllocation,
    FundBudget,
    FundEligibility,
    Meeting,
    Notice,
    ProgrammeTask,
)
from registry.domain.enums import AgencyKind
from registry.service import work_dto as w

M, MO, P = Role.ministry, Role.management_org, Role.province
NATIONAL_AND_PROVINCES = (M, MO, P)
MANAGEMENT = (M, MO)
# The assignee of the programme's national tasks (`ProgrammeTask.assignee`).
NATIONAL = "national"


def _only(roles: tuple[Role, ...], reason: Message) -> Callable[[Caller, Any], Message | None]:
    """A rule refusing every role but `roles`, with its own reason (not the generic 403)."""

    def rule(caller: Caller, _subject: Any) -> Message | None:
        return None if caller.role in roles else reason

    return rule


# The programme's public structure every signed-in caller reads (the authorization matrix
# lists these as shared reference data).
PUBLIC = Scope({role: everything for role in Role})


# 企业: registered by the ministry, a province or a recommending unit; edited by the ministry,
# its province or itself; imported in bulk nationally or by a province.
def _enterprise_changes(caller: Caller, fields: Iterable[str]) -> Message | None:
    """Which of an enterprise's fields the caller may change (`fields`: those sent)."""
    if "province_code" in fields and caller.role is not M:
        return _("Only the ministry moves an enterprise to another province")
    if "status" in fields and caller.role not in (M, P):
        return _("Only the ministry or the enterprise's province (de)registers it")
    return None


ENTERPRISE = Policy(
    Enterprise,
    repository.ENTERPRISES,
    actions={
        "register": (M, P, Role.recommender),
        "update": (M, P, Role.enterprise),
        "import": (M, P),
    },
    rules={"update": _enterprise_changes},
    what="Enterprise",
)
# 推荐单位: kept by the ministry.
UNIT = Policy(RecommendingUnit, PUBLIC, actions={"create": (M,)}, what="Recommending unit")


def _agency_manager(caller: Caller, kind: AgencyKind) -> Message | None:
    """认定管理组织 authorizes certification bodies; the ministry manages both kinds."""
    if caller.role is MO and kind is AgencyKind.certification_body:
        return None
    if caller.role is not M:
        return _("Role '{role}' may not manage {kind} agencies", role=caller.role, kind=kind)
    return None


# 服务机构: managed by the ministry (认定管理组织 for certification bodies: the rule needs the
# agency's kind — the new one's, or the existing one's).
AGENCY = Policy(Agency, PUBLIC, rules={"manage": _agency_manager}, what="Agency")
# 试点批次 and what is done within one.
BATCH = Policy(
    Batch,
    PUBLIC,
    actions={
        "create": (M,),
        "update": (M,),
        "stats": NATIONAL_AND_PROVINCES,
        "recommend": (M, P, Role.recommender),
        "select_pilot": (M,),
        "submit_plan": (P, M),
        "plan_statuses": NATIONAL_AND_PROVINCES,
        "progress_summary": NATIONAL_AND_PROVINCES,
    },
    what="Batch",
)
RECOMMENDATION = Policy(Recommendation, repository.RECOMMENDATIONS, what="Recommendation")
# 试点企业: status by the ministry or its province; progress reported by those and the
# enterprise and its consultancy.
# Only the ministry assigns a pilot's consultancy.
PILOT = Policy(
    Pilot,
    repository.PILOTS,
    actions={"update": (M, P), "report_progress": (M, P, Role.enterprise, Role.consultancy)},
    rules={"assign_consultancy": _only((M,), _("Only the ministry assigns consultancies"))},
    what="Pilot",
)
PROVINCE_PLAN = Policy(ProvincePlan, repository.PROVINCE_PLANS, what="Province plan")

# --- the programme's own work ---------------------------------------------------------------


def _task_assignee(caller: Caller, task: ProgrammeTask) -> Message | None:
    """The task's assignee (the management organization for national tasks, the province of
    a provincial one, the unit of a unit's) or the ministry reports on a task."""
    if caller.role is M:
        return None
    if task.assignee == NATIONAL and caller.role is MO:
        return None
    if task.region_code and caller.role is P and caller.province_code == task.region_code:
        return None
    if task.organization_id and caller.organization_id == task.organization_id:
        return None
    return _("Only the task's assignee (or the ministry) reports on it")


# 任务: seeded by the ministry, reported on by the assignee; a 报送 dated earlier (received on
# paper) only by the ministry.
TASK = Policy(
    ProgrammeTask,
    work.TASKS,
    actions={"seed": (M,), "reporting_status": NATIONAL_AND_PROVINCES},
    rules={
        "report": _task_assignee,
        "backdate": _only(
            (M,), _("Only the ministry records a submission received earlier (on paper)")
        ),
    },
    what="Task",
)


def _meeting_organizer(caller: Caller, province_code: str | None) -> Message | None:
    """National meetings are the ministry's; a province organizes its own (`province_code`:
    the meeting's)."""
    if caller.role is M:
        return None
    if caller.role is P and province_code and province_code == caller.province_code:
        return None
    return _("National meetings are the ministry's; a province organizes its own")


def _meeting_registrations(caller: Caller, meeting: Meeting) -> Message | None:
    """Every registration of a meeting: national roles and the meeting's province (others
    see their own registration only — a narrower answer, never a refusal)."""
    if caller.is_national or (caller.role is P and meeting.province_code == caller.province_code):
        return None
    return _("National meetings are the ministry's; a province organizes its own")


MEETING = Policy(
    Meeting,
    work.MEETINGS,
    rules={"organize": _meeting_organizer, "see_registrations": _meeting_registrations},
    what="Meeting",
)
NOTICE = Policy(
    Notice,
    work.readable_notices,
    actions={"issue": (M, MO), "receipts": (M, MO)},
    what="Notice",
)


def _document_publisher(caller: Caller, command: w.DocumentCreate) -> Message | None:
    """The ministry and the management organization publish; a province uploads restricted
    attachments to its own 报送."""
    if caller.role is P:
        if (
            command.category is not w.DocumentCategory.submission
            or command.access is w.Access.public
        ):
            return _("A province uploads restricted attachments to its own 报送 only")
        return None
    if caller.role not in MANAGEMENT:
        return _("Role '{role}' may not publish documents", role=caller.role)
    return None


def _document_uploader(caller: Caller, doc: Document) -> Message | None:
    """New versions: the publishers, whoever created the document, its province."""
    publisher = caller.role in MANAGEMENT or doc.created_by == caller.client_key
    own_province = caller.role is P and doc.province_code == caller.province_code
    if publisher or own_province:
        return None
    return _("Only the document's publisher uploads new versions")


DOCUMENT = Policy(
    Document,
    work.readable_documents,
    actions={"update": MANAGEMENT},
    rules={"create": _document_publisher, "upload": _document_uploader},
    what="Document",
    public=Document.access == "public",
)
FUNDS = (M, MO, P)


def budget_province(caller: Caller, command: w.BudgetCreate) -> str | None:
    """The province a new budget is for: a province's 支持资金 defaults to its own."""
    if command.source is not w.FundSource.ministry_special and caller.role is P:
        return command.province_code or caller.province_code
    return command.province_code


def _budget_recorder(caller: Caller, command: w.BudgetCreate) -> Message | None:
    """部级专项经费 is the ministry's; 各地支持资金 the ministry's or its own province's."""
    if command.source is w.FundSource.ministry_special:
        return None if caller.role is M else _("部级专项经费 is the ministry's")
    if caller.role is P:
        if budget_province(caller, command) != caller.province_code:
            return _("A province records its own 支持资金 only")
        return None
    if caller.role is not M:
        return _("Role '{role}' may not record budgets", role=caller.role)
    return None


def _budget_holder(caller: Caller, budget: FundBudget) -> Message | None:
    """The budget's holder (the ministry, or the budget's province) changes and spends it."""
    if caller.role is M or (caller.role is P and budget.province_code == caller.province_code):
        return None
    return _("Only the budget's holder allocates from it")


BUDGET = Policy(
    FundBudget,
    work.BUDGETS,
    actions={"read": FUNDS},
    rules={"create": _budget_recorder, "hold": _budget_holder},
    what="Budget",
)
ALLOCATION = Policy(FundAllocation, work.ALLOCATIONS, actions={"read": FUNDS}, what="Allocation")
ELIGIBILITY = Policy(FundEligibility, work.ELIGIBILITY, actions={"read": FUNDS})


def _list_keeper(caller: Caller, kind: str) -> Message | None:
    """The ministry keeps agency lists; 认定管理组织 those of certification bodies."""
    if caller.role is M or (caller.role is MO and kind == w.AgencyListKind.certification_body):
        return None
    return _("Only the ministry (认定管理组织 for certification bodies) keeps agency lists")


AGENCY_LIST = Policy(
    AgencyList,
    work.AGENCY_LISTS,
    rules={"keep": _list_keeper},
    what="List",
    public=work.PUBLISHED,
)
# 公开征集 of certification bodies: opened by the ministry or the management organization.
CALL = Policy(
    CertificationCall,
    PUBLIC,
    rules={
        "open": _only(MANAGEMENT, _("公开征集 is the ministry's or the management organization's"))
    },
    what="Call",
)


def _candidates(caller: Caller) -> sa.ColumnElement[bool]:
    """A call's candidates: national roles all; a province those it recommended; a body its own."""
    if caller.is_national:
        return sa.true()
    if caller.role is Role.province:
        return CallCandidate.recommended_by == caller.province_code
    if caller.role is Role.certification_body and caller.organization_id:
        return CallCandidate.agency_id == caller.organization_id
    return sa.false()


def _candidate_proposer(caller: Caller, agency: Agency) -> Message | None:
    """A certification body applies for itself; a province recommends (its own bodies: a
    rule of the call, 422, not this); the ministry and the management organization enter any."""
    if caller.role is P or caller.role in MANAGEMENT:
        return None
    if caller.role is Role.certification_body:
        if caller.organization_id != agency.id:
            return _("A certification body applies for itself only")
        return None
    return _("Role '{role}' may not propose candidates", role=caller.role)


CANDIDATE = Policy(
    CallCandidate,
    _candidates,
    rules={
        "propose": _candidate_proposer,
        "review": _only(
            MANAGEMENT, _("Expert review and authorization are the management organization's")
        ),
    },
    what="Candidate",
)
