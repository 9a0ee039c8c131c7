"""Scope rules compile to the SQL condition each role should get; unknown roles see nothing."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from iims_common.identity import Caller, Role
from iims_common.scoping import Scope, everything, same_organization, same_province

things = sa.table("things", sa.column("province_code"), sa.column("owner_id"))
SCOPE = Scope(
    {
        Role.ministry: everything,
        Role.province: same_province(things.c.province_code),
        Role.enterprise: same_organization(things.c.owner_id),
    }
)


def sql(caller: Caller) -> str:
    return str(SCOPE.condition(caller).compile(compile_kwargs={"literal_binds": True}))


def test_each_role_gets_its_condition() -> None:
    assert sql(Caller("m", Role.ministry)) == "true"
    assert (
        sql(Caller("p", Role.province, province_code="320000")) == "things.province_code = '320000'"
    )
    org = uuid.uuid4()
    assert str(org.hex) in sql(Caller("e", Role.enterprise, organization_id=org)).replace("-", "")


def test_default_deny() -> None:
    assert sql(Caller("c", Role.consultancy, organization_id=uuid.uuid4())) == "false"
    assert not SCOPE.allows_any(Caller("c", Role.consultancy, organization_id=uuid.uuid4()))
    # A province identity without a province sees nothing rather than everything.
    assert sql(Caller("p", Role.province)) == "false"
