"""One policy per aggregate of the audit service: which roles may perform each use case,
which rows each role sees (`audit.db.repository` scopes), and the one scoped loader
(`iims_common.policy.Policy.load`). Every use case asks here and nowhere else."""

from __future__ import annotations

from audit.db import repository
from audit.db.tables import Application, Audit, Auditor, Certificate, Finding, ScheduleProposal
from iims_common.identity import Role
from iims_common.policy import Policy

CB, MO = Role.certification_body, Role.management_org

# 认定申请: the enterprise (or its consultancy) applies and the enterprise withdraws; the
# certification body plans its audits and concludes; the management organization reviews,
# resolves objections and decides (认定决定).
APPLICATION = Policy(
    Application,
    repository.APPLICATIONS,
    actions={
        "apply": [Role.enterprise, Role.consultancy],
        "withdraw": [Role.enterprise],
        "plan_audit": [CB],
        "conclude": [CB],
        "review": [MO],
        "read_objections": [MO, Role.ministry, CB],
        "resolve_objection": [MO],
        "decide": [MO],
    },
    what="Application",
)

# 审核: planned, changed, completed and cancelled by the certification body, which also
# raises the findings.
AUDIT = Policy(
    Audit,
    repository.AUDITS,
    actions={
        "plan": [CB],
        "check_plan": [CB],
        "change": [CB],
        "complete": [CB],
        "cancel": [CB],
        "raise_finding": [CB],
    },
    what="Audit",
)

# 不符合项: the enterprise (or the body) submits the corrective action; the body accepts it
# and verifies the finding closed.
FINDING = Policy(
    Finding,
    repository.FINDINGS,
    actions={"correct": [Role.enterprise, CB], "accept": [CB], "verify": [CB]},
    what="Finding",
)

# 认定证书: suspended, restored and withdrawn by the management organization; the body
# plans the cycle's audits on it. Loaded by number (`certificates.load`, which folds it).
CERTIFICATE = Policy(
    Certificate,
    repository.CERTIFICATES,
    actions={"suspend": [MO], "restore": [MO], "withdraw": [MO], "plan_audit": [CB]},
    what="Certificate",
    key="number",
)

# 自动排期: proposed and confirmed by a certification body (its own audits) or the
# management organization.
PROPOSAL = Policy(
    ScheduleProposal,
    repository.PROPOSALS,
    actions={"propose": [CB, MO], "confirm": [CB, MO]},
    what="Schedule proposal",
)

# 审核员: the body (or the management organization) sets competences; the body or the
# auditor themself records unavailability. Keyed by person id.
AUDITOR = Policy(
    Auditor,
    repository.AUDITORS,
    actions={"set_competences": [CB, MO], "unavailability": [CB, Role.auditor]},
    what="Auditor",
    key="person_id",
)
