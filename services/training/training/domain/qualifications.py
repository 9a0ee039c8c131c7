"""资质证书 rules: who is granted what, numbers, validity, the lead-auditor condition."""

from __future__ import annotations

import datetime as dt
import secrets

from iims_common.errors import RuleViolation
from iims_common.i18n import _
from iims_common.standard import QUALIFICATION_NUMBER_PREFIXES
from training.domain.enums import QualificationKind

# Crockford-style alphabet without look-alikes (0/O, 1/I/L): numbers are read aloud and typed.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# Prefixes of the person-qualification family (iims_common.standard): never the enterprise
# certificates' IIMS-RZ-, so a number says which register it belongs to.
_PREFIX = {kind: QUALIFICATION_NUMBER_PREFIXES[kind.value] for kind in QualificationKind}
ISSUERS = {
    QualificationKind.consultant: "两化融合管理体系联合工作组",
    QualificationKind.auditor: "两化融合管理体系认定管理组织",
    QualificationKind.lead_auditor: "两化融合管理体系认定管理组织",
}
# Documented extra condition for 审核组长: a valid auditor qualification and at least this
# many audits as a team member, attested by the management organization.
LEAD_AUDITOR_MIN_AUDITS = 3


def new_number(kind: QualificationKind, year: int) -> str:
    """IIMS-RD-2014-7K3Q9M2WXP (ZX 咨询, RD 认定审核员, ZZ 审核组长): 10 random symbols
    (~49 bits), so numbers cannot be walked."""
    return f"{_PREFIX[kind]}{year}-" + "".join(secrets.choice(_ALPHABET) for _position in range(10))


def valid_until(granted_on: dt.date, years: int) -> dt.date:
    try:
        return granted_on.replace(year=granted_on.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return granted_on.replace(year=granted_on.year + years, day=28)


def effective_status(status: str, until: dt.date, today: dt.date) -> str:
    if status == "valid" and today > until:
        return "expired"
    return status


def check_lead_auditor(kind: str, status: str, audits_as_member: int) -> None:
    if kind != QualificationKind.auditor or status != "valid":
        raise RuleViolation(
            "qualification.lead-needs-auditor",
            _("A lead auditor must hold a valid auditor qualification"),
        )
    if audits_as_member < LEAD_AUDITOR_MIN_AUDITS:
        raise RuleViolation(
            "qualification.lead-audits",
            _(
                "A lead auditor needs at least {LEAD_AUDITOR_MIN_AUDITS} audits as a team member",
                LEAD_AUDITOR_MIN_AUDITS=LEAD_AUDITOR_MIN_AUDITS,
            ),
        )


def check_dated(day: dt.date, earliest: dt.date, today: dt.date, what: str) -> None:
    """A dated act of the programme (an exam taken, a 审核组长 attested) recorded after the
    fact: never in the future, never before what it follows (`earliest`: the session's first
    day, the auditor qualification's grant). `what` names the rule: `exam` or `lead`."""
    if day > today:
        raise RuleViolation(
            f"qualification.{what}-date-in-future", _("The date cannot be in the future")
        )
    if day < earliest:
        raise RuleViolation(
            f"qualification.{what}-date-too-early",
            _("The date cannot be before {earliest}", earliest=earliest.isoformat()),
        )
