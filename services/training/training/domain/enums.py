"""Enumerations of the training service, with their labels (Chinese, English)."""

from __future__ import annotations

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import _


class QualificationKind(LabelledEnum):
    consultant = "consultant"  # 咨询资质
    auditor = "auditor"  # 认定资质
    lead_auditor = "lead_auditor"  # 认定资质（审核组长）

    __labels__ = {
        consultant: _("Consultant qualification"),
        auditor: _("Auditor qualification"),
        lead_auditor: _("Auditor qualification (lead auditor)"),
    }


class OrganizationKind(LabelledEnum):
    enterprise = "enterprise"
    agency = "agency"
    authority = "authority"

    __labels__ = {
        enterprise: _("Enterprise"),
        agency: _("Service agency"),
        authority: _("Competent authority"),
    }


class EnrollmentStatus(LabelledEnum):
    enrolled = "enrolled"
    waitlisted = "waitlisted"
    attended = "attended"
    passed = "passed"
    failed = "failed"
    cancelled = "cancelled"

    __labels__ = {
        enrolled: _("Enrolled"),
        waitlisted: _("Waitlisted"),
        attended: _("Hours completed"),
        passed: _("Passed the exam"),
        failed: _("Failed the exam"),
        cancelled: _("Cancelled"),
    }


SEAT_HOLDING = frozenset(
    {
        EnrollmentStatus.enrolled,
        EnrollmentStatus.attended,
        EnrollmentStatus.passed,
        EnrollmentStatus.failed,
    }
)


class QualificationStatus(LabelledEnum):
    """A qualification's status as shown (`effective_status`: valid past its date → expired)."""

    valid = "valid"
    revoked = "revoked"
    expired = "expired"

    __labels__ = {
        valid: _("Valid"),
        revoked: _("Revoked"),
        expired: _("Expired"),
    }


ENUMS: tuple[type[LabelledEnum], ...] = (
    QualificationKind,
    OrganizationKind,
    EnrollmentStatus,
    QualificationStatus,
)


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """Every training enum's labels in `locale` (default: the request's language)."""
    return served_labels(ENUMS, locale)
