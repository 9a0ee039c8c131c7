"""Account use cases (平台管理): create and list people's accounts — the administrators'
(`ACCOUNT`)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.tables import Account
from gateway.domain.credentials import Principal
from gateway.service import auth
from gateway.service.dto import AccountCreate
from gateway.service.policies import ACCOUNT


async def create(session: AsyncSession, principal: Principal, command: AccountCreate) -> Account:
    ACCOUNT.authorize(principal.caller, "administer", principal)
    return await auth.create_account(
        session,
        username=command.username,
        display_name=command.display_name,
        password=command.password,
        role=command.role,
        province_code=command.province_code,
        organization_id=command.organization_id,
        is_admin=command.is_admin,
    )


def query(principal: Principal) -> sa.Select[Account]:
    ACCOUNT.authorize(principal.caller, "administer", principal)
    return sa.select(Account)
