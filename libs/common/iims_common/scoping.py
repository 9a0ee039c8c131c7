"""Query-level authorization: which rows of a table a caller may see, as a SQL condition.

Each service declares, per kind of object, a `Scope` mapping roles to condition builders;
every read goes through `scope.condition(caller)`, so a route cannot forget it. A role the
scope does not name sees nothing (default deny), and an object outside the scope is "not
found" (404), so ids cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import NotFound
from iims_common.i18n import Message, _
from iims_common.identity import Caller, Role

T = TypeVar("T")

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


async def get_one(
    session: AsyncSession,
    model: type[T],
    object_id: Any,
    scope: sa.ColumnElement[bool] | None = None,
    *,
    for_update: bool = False,
    what: str | None = None,
    key: str = "id",
    not_found: Message | None = None,
) -> T:
    """The object whose `key` column is `object_id`, inside `scope`, else 404 (out of scope
    looks like absent; `not_found` replaces the message). The one loader: `Policy.load`
    calls it with the aggregate's scope."""
    stmt = sa.select(model).where(getattr(model, key) == object_id)
    if scope is not None:
        stmt = stmt.where(scope)
    if for_update:
        stmt = stmt.with_for_update()
    obj = (await session.scalars(stmt)).first()
    if obj is None:
        raise NotFound(
            not_found
            or _("{value} {object_id} not found", value=what or model.__name__, object_id=object_id)
        )
    return obj
