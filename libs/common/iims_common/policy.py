"""One policy per aggregate: who may do what to it, and the one scoped loader.

Every use case (`<service>/service/<aggregate>.py`, a function `(session, caller, …, command)`)
answers "may this caller act on this object?" through the aggregate's `Policy` and nothing
else:

- `policy.authorize(caller, action)`: may the caller's role do `action` at all (403
  otherwise, the same problem `require_role` gives);
- `policy.authorize(caller, action, subject)`: the same for a rule that depends on the object
  as well as the role (`rules`: a task's assignee, a budget's holder, an agency's kind — 403
  with the rule's own reason), so "who may act on X" is answered in the aggregate's policy;
- `await policy.load(session, caller, id)`: the object inside the caller's `Scope`
  (`iims_common.scoping`), else 404, so ids cannot be probed;
- `policy.condition(caller)`: the scope as a SQL condition for lists.

Which of the first two comes first is part of the API's observable behaviour (an
out-of-scope object and a forbidden role: 404 or 403) and each use case keeps the order its
route always had; both are answered here, by the same policy object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import Forbidden
from iims_common.http import check_if_match
from iims_common.i18n import Message
from iims_common.identity import Caller, Role, require_role
from iims_common.scoping import Scope, get_one

T = TypeVar("T")


class _Absent:
    """`Policy.load`'s default for `if_match`: not an update (None means the header is missing)."""


ABSENT = _Absent()

# An object-dependent rule: given the caller and what the action is about (the loaded object,
# or the part of a command that decides, e.g. a kind), None when allowed, else why not.
Rule = Callable[[Caller, Any], Message | None]


@dataclass(frozen=True)
class Policy(Generic[T]):
    """Authorization of one aggregate.

    `model`: the ORM class; `scope`: which rows each role sees (a `Scope`, default deny, or
    a function of the caller giving the SQL condition where the rule is not per role);
    `actions`: action name → the roles that may perform it; `what`: the name used in the 404
    ("Application 0190… not found"); `key`: the column the loader looks up (default `id`);
    `rules`: action name → a `Rule` for actions whose answer depends on the object too (an
    action may have both: the roles are checked first).
    """

    model: type[T]
    scope: Scope | Callable[[Caller], sa.ColumnElement[bool]]
    actions: Mapping[str, Iterable[Role]] = field(default_factory=dict)
    what: str | None = None
    key: str = "id"
    # What anyone sees without signing in (public pages), applied when `caller` is None;
    # None: no public reading — `caller=None` is then a system actor that sees every row.
    public: sa.ColumnElement[bool] | None = None
    rules: Mapping[str, Rule] = field(default_factory=dict)

    def authorize(self, caller: Caller, action: str, subject: Any = None) -> None:
        """403 unless the caller may do `action`: its role is among the action's roles, and
        the action's rule (if it has one) allows it on `subject`. An action the policy does
        not know is a bug (KeyError)."""
        if action not in self.actions and action not in self.rules:
            raise KeyError(action)
        if action in self.actions:
            require_role(caller, *self.actions[action])
        if action in self.rules:
            reason = self.rules[action](caller, subject)
            if reason is not None:
                raise Forbidden(reason)

    def may(self, caller: Caller, action: str, subject: Any = None) -> bool:
        """Whether `authorize` would allow it (for answers that differ rather than refuse)."""
        if action not in self.actions and action not in self.rules:
            raise KeyError(action)
        if action in self.actions and caller.role not in set(self.actions[action]):
            return False
        return action not in self.rules or self.rules[action](caller, subject) is None

    def condition(self, caller: Caller) -> sa.ColumnElement[bool]:
        """The rows of `model` the caller may see, as a SQL condition (for lists)."""
        if isinstance(self.scope, Scope):
            return self.scope.condition(caller)
        return self.scope(caller)

    def select(self, caller: Caller | None) -> sa.Select[T]:
        """`SELECT model WHERE <scope>`: the start of every list query (`caller=None`: the
        public rows, or every row when the policy has no public condition — system use)."""
        stmt = sa.select(self.model)
        if caller is not None:
            return stmt.where(self.condition(caller))
        return stmt if self.public is None else stmt.where(self.public)

    def query(self, caller: Caller | None, **filters: Any) -> sa.Select[T]:
        """`select(caller)` narrowed by each filter that is given (not None): the keyword is
        the model's column name (`status=…`, `enterprise_id=…`). For list use cases."""
        stmt = self.select(caller)
        for name, value in filters.items():
            if value is not None:
                stmt = stmt.where(getattr(self.model, name) == value)
        return stmt

    async def load(
        self,
        session: AsyncSession,
        caller: Caller | None,
        object_id: Any,
        *,
        for_update: bool = False,
        by: str | None = None,
        not_found: Message | None = None,
        if_match: str | _Absent | None = ABSENT,
    ) -> T:
        """The object whose `key` is `object_id`, inside the caller's scope, else 404 (out of
        scope looks like absent). `caller=None` loads without scope: only for system actors
        (event consumers) or, where the policy has a `public` condition, anyone. `for_update`
        locks the row for the rest of the transaction; `by` names another unique column to
        look up (e.g. `id` where the policy's key is a number); `not_found` replaces the 404's
        message. `if_match` (the request's If-Match, None when it was not sent) makes this the
        load of an update: the object's `version` must match (428 when missing, 412 when
        stale — `iims_common.http.check_if_match`), checked right after the load."""
        if caller is not None:
            scope: sa.ColumnElement[bool] | None = self.condition(caller)
        else:
            scope = self.public
        obj = await get_one(
            session,
            self.model,
            object_id,
            scope,
            for_update=for_update,
            what=self.what,
            key=by or self.key,
            not_found=not_found,
        )
        if not isinstance(if_match, _Absent):
            check_if_match(if_match, obj.version)  # type: ignore[attr-defined]
        return obj
