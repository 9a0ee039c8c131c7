"""A Policy answers both questions of a use case without I/O: may this role do the action
(403 otherwise, with the allowed roles named), and which rows it sees (the scope's SQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from iims_common.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired
from iims_common.i18n import Message, _
from iims_common.identity import Caller, Role
from iims_common.policy import Policy
from iims_common.scoping import Scope, everything, same_province


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    province_code: Mapped[str]


THING = Policy(
    Thing,
    Scope({Role.ministry: everything, Role.province: same_province(Thing.province_code)}),
    actions={"approve": [Role.ministry], "read": [Role.ministry, Role.province]},
    what="Thing",
)
MINISTRY = Caller("m", Role.ministry)
PROVINCE = Caller("p", Role.province, province_code="320000")


def test_authorize_allows_the_named_roles_and_refuses_the_others() -> None:
    THING.authorize(MINISTRY, "approve")
    assert THING.may(PROVINCE, "read") and not THING.may(PROVINCE, "approve")
    with pytest.raises(Forbidden) as refused:
        THING.authorize(PROVINCE, "approve")
    assert "ministry" in str(refused.value.detail)


def test_an_unknown_action_is_a_bug_not_a_refusal() -> None:
    with pytest.raises(KeyError):
        THING.authorize(MINISTRY, "delete")


def _own_province(caller: Caller, thing: Thing) -> Message | None:
    if caller.role is Role.ministry or caller.province_code == thing.province_code:
        return None
    return _("Only the thing's province edits it")


OWNED = Policy(
    Thing,
    THING.scope,
    actions={"edit": [Role.ministry, Role.province]},
    rules={"edit": _own_province, "inspect": _own_province},
)


def test_a_rule_answers_on_the_object_after_the_roles() -> None:
    ours, theirs = Thing(id=uuid.uuid4(), province_code="320000"), Thing(province_code="110000")
    OWNED.authorize(PROVINCE, "edit", ours)
    OWNED.authorize(MINISTRY, "inspect", theirs)
    assert OWNED.may(PROVINCE, "inspect", ours) and not OWNED.may(PROVINCE, "edit", theirs)
    with pytest.raises(Forbidden) as refused:
        OWNED.authorize(PROVINCE, "edit", theirs)
    assert "province edits it" in str(refused.value.detail)
    enterprise = Caller("e", Role.enterprise, organization_id=uuid.uuid4())
    with pytest.raises(Forbidden) as by_role:  # the roles first: the rule is not asked
        OWNED.authorize(enterprise, "edit", ours)
    assert "ministry" in str(by_role.value.detail)
    assert not OWNED.may(enterprise, "edit", ours)


def test_select_carries_the_scope() -> None:
    def sql(caller: Caller) -> str:
        stmt = THING.select(caller)
        return str(stmt.compile(compile_kwargs={"literal_binds": True}))

    assert "things.province_code = '320000'" in sql(PROVINCE)
    assert "WHERE true" in sql(MINISTRY)
    assert "WHERE false" in sql(Caller("e", Role.enterprise, organization_id=uuid.uuid4()))
    assert isinstance(THING.condition(MINISTRY), sa.ColumnElement)


def test_query_applies_the_given_filters_only() -> None:
    def sql(**filters: object) -> str:
        stmt = THING.query(PROVINCE, **filters)
        return str(stmt.compile(compile_kwargs={"literal_binds": True}))

    assert sql(province_code=None) == sql()
    assert "things.province_code = '110000'" in sql(province_code="110000")


class Versioned(Base):
    __tablename__ = "versioned"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    province_code: Mapped[str]
    version: Mapped[int]


async def test_load_for_an_update_checks_if_match_after_the_scope(tmp_path: Path) -> None:
    """`load(if_match=…)`: out of scope is still a 404; then 428 without If-Match, 412 on a
    stale ETag, the object on the current one (or `*`)."""
    policy = Policy(
        Versioned,
        Scope({Role.province: same_province(Versioned.province_code)}),
        what="Versioned",
    )
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/p.db")
    async with engine.begin() as conn:
        await conn.run_sync(Versioned.__table__.create)
    async with AsyncSession(engine) as session:
        row = Versioned(id=uuid.uuid4(), province_code="320000", version=3)
        session.add(row)
        await session.flush()
        other = Caller("p", Role.province, province_code="110000")
        with pytest.raises(NotFound):
            await policy.load(session, other, row.id, if_match='"3"')
        with pytest.raises(PreconditionRequired):
            await policy.load(session, PROVINCE, row.id, if_match=None)
        with pytest.raises(PreconditionFailed):
            await policy.load(session, PROVINCE, row.id, if_match='"2"')
        assert await policy.load(session, PROVINCE, row.id, if_match='"3"') is row
        assert await policy.load(session, PROVINCE, row.id, if_match="*") is row
        assert await policy.load(session, PROVINCE, row.id) is row  # not an update: no check
    await engine.dispose()
