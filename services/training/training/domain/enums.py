"""Enumerations of the training service, with their labels (Chinese, English)."""

from __future__ import annotations

from enum import StrEnum

from iims_common.enums import LabelledEnum, served_labels
from iims_common.i18n import Message, _


class _Labelled(LabelledEnum):
    """Codes of the training service; the label is `LABELS` (English, Chinese in the
    catalogue)."""

    @property
    def message(self) -> Message:
        return LABELS[self]


class QualificationKind(_Labelled):
    consultant = "consultant"  # 咨询资质
    auditor = "auditor"  # 认定资质
    lead_auditor = "lead_auditor"  # 认定资质（审核组长）


class OrganizationKind(_Labelled):
    enterprise = "enterprise"
    agency = "agency"
    authority = "authority"


class EnrollmentStatus(_Labelled):
    enrolled = "enrolled"
    waitlisted = "waitlisted"
    attended = "attended"
    passed = "passed"
    failed = "failed"
    cancelled = "cancelled"


SEAT_HOLDING = frozenset(
    {
        EnrollmentStatus.enrolled,
        EnrollmentStatus.attended,
        EnrollmentStatus.passed,
        EnrollmentStatus.failed,
    }
)


class QualificationStatus(_Labelled):
    """A qualification's status as shown (`effective_status`: valid past its date → expired)."""

    valid = "valid"
    revoked = "revoked"
    expired = "expired"


# The labels, defined here once: English text, its Chinese in the shared gettext catalogue
# (`make i18n`). Served in the caller's language at GET /labels (`all_labels`), merged by the
# gateway into GET /api/v1/labels.
LABELS: dict[StrEnum, Message] = {
    QualificationKind.consultant: _("Consultant qualification"),
    QualificationKind.auditor: _("Auditor qualification"),
    QualificationKind.lead_auditor: _("Auditor qualification (lead auditor)"),
    EnrollmentStatus.enrolled: _("Enrolled"),
    EnrollmentStatus.waitlisted: _("Waitlisted"),
    EnrollmentStatus.attended: _("Hours completed"),
    EnrollmentStatus.passed: _("Passed the exam"),
    EnrollmentStatus.failed: _("Failed the exam"),
    EnrollmentStatus.cancelled: _("Cancelled"),
    OrganizationKind.enterprise: _("Enterprise"),
    OrganizationKind.agency: _("Service agency"),
    OrganizationKind.authority: _("Competent authority"),
    QualificationStatus.valid: _("Valid"),
    QualificationStatus.revoked: _("Revoked"),
    QualificationStatus.expired: _("Expired"),
}
ENUMS: tuple[type[_Labelled], ...] = (
    QualificationKind,
    OrganizationKind,
    EnrollmentStatus,
    QualificationStatus,
)


def all_labels(locale: str | None = None) -> dict[str, dict[str, str]]:
    """Every training enum's labels in `locale` (default: the request's language)."""
    return served_labels(ENUMS, locale)
