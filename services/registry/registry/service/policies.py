"""One policy per aggregate of the registry: which roles may perform each use case, which
rows each role sees (the scopes in `registry.db.repository` and `registry.db.work_repository`),
and the one scoped loader (`iims_common.policy.Policy.load`). Every use case asks here.

Some rules depend on the object as well as the role (an agency's kind, a task's assignee, a
meeting's province, a budget's holder, a list's kind); those are checked where the object is
known, in `service/programme.py` and `service/work.py` (`_check_*`), after the policy."""

from __future__ import annotations

import sqlalchemy as sa

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

M, MO, P = Role.ministry, Role.management_org, Role.province
NATIONAL_AND_PROVINCES = (M, MO, P)
# The programme's public structure every signed-in caller reads (the authorization matrix
# lists these as shared reference data).
PUBLIC = Scope({role: everything for role in Role})

# 企业: registered by the ministry, a province or a recommending unit; edited by the ministry,
# its province or itself; imported in bulk nationally or by a province.
ENTERPRISE = Policy(
    Enterprise,
    repository.ENTERPRISES,
    actions={
        "register": (M, P, Role.recommender),
        "update": (M, P, Role.enterprise),
        "import": (M, P),
    },
    what="Enterprise",
)
# 推荐单位: kept by the ministry.
UNIT = Policy(RecommendingUnit, PUBLIC, actions={"create": (M,)}, what="Recommending unit")
# 服务机构: managed by the ministry (认定管理组织 for certification bodies: see
# `programme._check_agency_authority`, which needs the agency's kind).
AGENCY = Policy(Agency, PUBLIC, what="Agency")
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
PILOT = Policy(
    Pilot,
    repository.PILOTS,
    actions={"update": (M, P), "report_progress": (M, P, Role.enterprise, Role.consultancy)},
    what="Pilot",
)
PROVINCE_PLAN = Policy(ProvincePlan, repository.PROVINCE_PLANS, what="Province plan")

# --- the programme's own work ---------------------------------------------------------------

TASK = Policy(
    ProgrammeTask,
    work.TASKS,
    actions={"seed": (M,), "reporting_status": NATIONAL_AND_PROVINCES},
    what="Task",
)
MEETING = Policy(Meeting, work.MEETINGS, what="Meeting")
NOTICE = Policy(
    Notice,
    work.readable_notices,
    actions={"issue": (M, MO), "receipts": (M, MO)},
    what="Notice",
)
DOCUMENT = Policy(
    Document,
    work.readable_documents,
    actions={"update": (M, MO)},
    what="Document",
    public=Document.access == "public",
)
FUNDS = (M, MO, P)
BUDGET = Policy(FundBudget, work.BUDGETS, actions={"read": FUNDS}, what="Budget")
ALLOCATION = Policy(FundAllocation, work.ALLOCATIONS, actions={"read": FUNDS}, what="Allocation")
ELIGIBILITY = Policy(FundEligibility, work.ELIGIBILITY, actions={"read": FUNDS})
AGENCY_LIST = Policy(AgencyList, work.AGENCY_LISTS, what="List", public=work.PUBLISHED)
CALL = Policy(CertificationCall, PUBLIC, what="Call")


def _candidates(caller: Caller) -> sa.ColumnElement[bool]:
    """A call's candidates: national roles all; a province those it recommended; a body its own."""
    if caller.is_national:
        return sa.true()
    if caller.role is Role.province:
        return CallCandidate.recommended_by == caller.province_code
    if caller.role is Role.certification_body and caller.organization_id:
        return CallCandidate.agency_id == caller.organization_id
    return sa.false()


CANDIDATE = Policy(CallCandidate, _candidates, what="Candidate")
