"""Query-level authorization: which rows of a table a caller may see, as a SQL condition.

Each service declares, per kind of object, a `Scope` mapping roles to condition builders;
every read goes through `scope.condition(caller)`, so a route cannot forget it. A role the
scope does not name sees nothing (default deny), and an object outside the scope is "not
found" (404), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from iims_common.identity import Caller, Role

Rule = Callable[[Caller], sa.ColumnElement[bool]]


def everything(_: Caller) -> sa.ColumnElement[bool]:
    return sa.true()


def same_province(column: Any) -> Rule:
    """Rows whose province column equals the caller's province (地方工信主管部门)."""
    return lambda caller: column == caller.province_code if caller.province_code else sa.false()


def same_organization(column: Any) -> Rule:
    """Rows whose organization column equals the caller's organization."""
    return lambda caller: column == caller.organization_id if caller.organization_id else sa.false()


@dataclass(frozen=True)
class Scope:
    rules: Mapping[Role, Rule]

    def condition(self, caller: Caller) -> sa.ColumnElement[bool]:
        rule = self.rules.get(caller.role)
        return rule(caller) if rule is not None else sa.false()

    def allows_any(self, caller: Caller) -> bool:
        return caller.role in self.rules
