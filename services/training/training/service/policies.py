"""One policy per aggregate of the training service: which roles may perform each use case,
which rows each role sees (`training.db.repository` scopes), and the one scoped loader
(`iims_common.policy.Policy.load`). Every use case asks here and nowhere else."""

from __future__ import annotations

from iims_common.identity import Role
from iims_common.policy import Policy
from iims_common.scoping import Scope, everything
from training.db import repository
from training.db.tables import (
    Enrollment,
    Invitation,
    Person,
    ProgrammeRow,
    Qualification,
)
from training.db.tables import Session as TrainingSession

NATIONAL = (Role.ministry, Role.management_org)
ORGANIZATIONS = (Role.enterprise, Role.consultancy, Role.certification_body)
# Reference data every signed-in caller reads: the training plan and its sessions (班次).
PUBLIC = Scope({role: everything for role in Role})

# 培训计划: published by the ministry or the management organization.
PROGRAMME = Policy(ProgrammeRow, PUBLIC, actions={"create": NATIONAL}, what="Programme", key="code")

# 班次: opened by the ministry or the management organization.
SESSION = Policy(TrainingSession, PUBLIC, actions={"create": NATIONAL}, what="Session")

# 学员: registered by their own organization (or nationally).
PERSON = Policy(
    Person,
    repository.PEOPLE,
    actions={"register": (*NATIONAL, *ORGANIZATIONS)},
    what="Person",
)

# 报名: organizations enroll and cancel their people; attendance and exams are recorded
# nationally.
ENROLLMENT = Policy(
    Enrollment,
    repository.ENROLLMENTS,
    actions={
        "enroll": (*NATIONAL, *ORGANIZATIONS),
        "cancel": (*NATIONAL, *ORGANIZATIONS),
        "attendance": NATIONAL,
        "exam": NATIONAL,
    },
    what="Enrollment",
)

# 资质证书: revoked nationally; 审核组长 granted by the management organization. By number.
QUALIFICATION = Policy(
    Qualification,
    repository.QUALIFICATIONS,
    actions={"revoke": NATIONAL, "promote": [Role.management_org]},
    what="Qualification",
    key="number",
)

# 邀请 (from pilot-enrolled): read only.
INVITATION = Policy(Invitation, repository.INVITATIONS, what="Invitation")
