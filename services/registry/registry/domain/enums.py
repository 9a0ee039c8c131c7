"""Enumerations of the registry, each with its Chinese label for user-facing text."""

from __future__ import annotations

from enum import StrEnum

from iims_common.enums import LabelledEnum as CommonLabelledEnum
from iims_common.enums import served_labels
from iims_common.i18n import Message, _, locale_var, text
from iims_common.standard import CLAUSE_TITLES


class LabelledEnum(CommonLabelledEnum):
    """A registry code with its label (`LABELS`); parsing accepts the code or a label."""

    @property
    def message(self) -> Message:
        return LABELS[self]


class EnterpriseSize(LabelledEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class EnterpriseStatus(LabelledEnum):
    registered = "registered"
    pilot = "pilot"
    certified = "certified"
    deregistered = "deregistered"


class RecommendingUnitKind(LabelledEnum):
    ministry_department = "ministry_department"
    provincial_authority = "provincial_authority"
    central_soe = "central_soe"
    industry_association = "industry_association"


class AgencyKind(LabelledEnum):
    consultancy = "consultancy"
    certification_body = "certification_body"


class AgencyStatus(LabelledEnum):
    applied = "applied"
    authorized = "authorized"
    suspended = "suspended"
    revoked = "revoked"


class PilotStatus(LabelledEnum):
    enrolled = "enrolled"
    implementing = "implementing"
    basically_compliant = "basically_compliant"
    certified = "certified"
    withdrawn = "withdrawn"


class PlanStatus(LabelledEnum):
    submitted = "submitted"
    submitted_late = "submitted_late"
    pending = "pending"
    late = "late"


# The labels, defined here once: English text, its Chinese in the shared gettext catalogue
# (`make i18n`). Served in the caller's language by `all_labels` (GET /labels, merged by the
# gateway into GET /api/v1/labels).
LABELS: dict[StrEnum, Message] = {
    EnterpriseSize.large: _("Large"),
    EnterpriseSize.medium: _("Medium-sized"),
    EnterpriseSize.small: _("Small"),
    EnterpriseSize.micro: _("Micro"),
    EnterpriseStatus.registered: _("Registered"),
    EnterpriseStatus.pilot: _("In the pilot programme"),
    EnterpriseStatus.certified: _("Certified"),
    EnterpriseStatus.deregistered: _("Deregistered"),
    RecommendingUnitKind.ministry_department: _("Ministry department"),
    RecommendingUnitKind.provincial_authority: _("Provincial industry and IT authority"),
    RecommendingUnitKind.central_soe: _("Central state-owned enterprise group"),
    RecommendingUnitKind.industry_association: _("Industry association"),
    AgencyKind.consultancy: _("Consultancy"),
    AgencyKind.certification_body: _("Certification body"),
    AgencyStatus.applied: _("Applied"),
    AgencyStatus.authorized: _("Authorized"),
    AgencyStatus.suspended: _("Suspended"),
    AgencyStatus.revoked: _("Revoked"),
    PilotStatus.enrolled: _("Selected as pilot"),
    PilotStatus.implementing: _("Implementing the standard"),
    PilotStatus.basically_compliant: _("Basically compliant"),
    PilotStatus.certified: _("Certified"),
    PilotStatus.withdrawn: _("Left the pilot programme"),
    PlanStatus.submitted: _("Submitted on time"),
    PlanStatus.submitted_late: _("Submitted late"),
    PlanStatus.pending: _("Awaiting submission"),
    PlanStatus.late: _("Overdue, not submitted"),
}


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """Every registry enum's labels in `locale` (default: the request's language), and the
    requirement clauses 4.1–8.6 of GB/T 23001 (`RequirementClause`: number → title) the
    conformity self-check and findings are keyed by."""
    from registry.service.work_dto import WORK_ENUMS

    locale = locale or locale_var.get()
    enums: list[type[CommonLabelledEnum]] = [
        EnterpriseSize,
        EnterpriseStatus,
        RecommendingUnitKind,
        AgencyKind,
        AgencyStatus,
        PilotStatus,
        PlanStatus,
        *WORK_ENUMS,
    ]
    labels = served_labels(enums, locale)
    labels["RequirementClause"] = {n: text(t, locale) for n, t in CLAUSE_TITLES.items()}
    return labels
