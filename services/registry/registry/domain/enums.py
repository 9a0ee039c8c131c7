"""Enumerations of the registry, each with its Chinese label for user-facing text."""

from __future__ import annotations

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import _, locale_var, text
from iims_common.standard import CLAUSE_TITLES


class EnterpriseSize(LabelledEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"

    __labels__ = {
        large: _("Large"),
        medium: _("Medium-sized"),
        small: _("Small"),
        micro: _("Micro"),
    }


class EnterpriseStatus(LabelledEnum):
    registered = "registered"
    pilot = "pilot"
    certified = "certified"
    deregistered = "deregistered"

    __labels__ = {
        registered: _("Registered"),
        pilot: _("In the pilot programme"),
        certified: _("Certified"),
        deregistered: _("Deregistered"),
    }


class RecommendingUnitKind(LabelledEnum):
    ministry_department = "ministry_department"
    provincial_authority = "provincial_authority"
    central_soe = "central_soe"
    industry_association = "industry_association"

    __labels__ = {
        ministry_department: _("Ministry department"),
        provincial_authority: _("Provincial industry and IT authority"),
        central_soe: _("Central state-owned enterprise group"),
        industry_association: _("Industry association"),
    }


class AgencyKind(LabelledEnum):
    consultancy = "consultancy"
    certification_body = "certification_body"

    __labels__ = {
        consultancy: _("Consultancy"),
        certification_body: _("Certification body"),
    }


class AgencyStatus(LabelledEnum):
    applied = "applied"
    authorized = "authorized"
    suspended = "suspended"
    revoked = "revoked"

    __labels__ = {
        applied: _("Applied"),
        authorized: _("Authorized"),
        suspended: _("Suspended"),
        revoked: _("Revoked"),
    }


class PilotStatus(LabelledEnum):
    enrolled = "enrolled"
    implementing = "implementing"
    basically_compliant = "basically_compliant"
    certified = "certified"
    withdrawn = "withdrawn"

    __labels__ = {
        enrolled: _("Selected as pilot"),
        implementing: _("Implementing the standard"),
        basically_compliant: _("Basically compliant"),
        certified: _("Certified"),
        withdrawn: _("Left the pilot programme"),
    }


class PlanStatus(LabelledEnum):
    submitted = "submitted"
    submitted_late = "submitted_late"
    pending = "pending"
    late = "late"

    __labels__ = {
        submitted: _("Submitted on time"),
        submitted_late: _("Submitted late"),
        pending: _("Awaiting submission"),
        late: _("Overdue, not submitted"),
    }


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """Every registry enum's labels in `locale` (default: the request's language), and the
    requirement clauses 4.1–8.6 of GB/T 23001 (`RequirementClause`: number → title) the
    conformity self-check and findings are keyed by."""
    from registry.service.work_dto import WORK_ENUMS

    locale = locale or locale_var.get()
    enums: list[type[LabelledEnum]] = [
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
