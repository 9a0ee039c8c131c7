"""经费 use cases: budgets (部级专项经费 the ministry's, a province its 支持资金), their change
(never below what is allocated), allocations to pilots, disbursements, the eligible pilots
and the summary. Reads are national or a province's own; authorized through `BUDGET`,
`ALLOCATION` and `ELIGIBILITY` (the holder's rule: `BUDGET`'s "hold")."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from iims_common.errors import RuleViolation
from iims_common.i18n import _
from iims_common.identity import Caller
from registry.db import work_repository as repo
from registry.db.work import FundAllocation, FundBudget, FundDisbursement, FundEligibility
from registry.service import work
from registry.service import work_dto as w
from registry.service.policies import ALLOCATION, BUDGET, ELIGIBILITY


async def create_budget(
    session: AsyncSession, caller: Caller, command: w.BudgetCreate
) -> FundBudget:
    return await work.create_budget(session, caller, command)


def budgets(
    caller: Caller, *, year: int | None = None, source: w.FundSource | None = None
) -> sa.Select[FundBudget]:
    BUDGET.authorize(caller, "read")
    return BUDGET.query(caller, year=year, source=source)


async def summary(session: AsyncSession, caller: Caller, year: int) -> w.FundSummary:
    """Totals per province: budgets, allocated, disbursed, eligible and supported pilots."""
    BUDGET.authorize(caller, "read")
    return await work.fund_summary(session, caller, year)


async def get_budget(session: AsyncSession, caller: Caller, budget_id: uuid.UUID) -> FundBudget:
    return await BUDGET.load(session, caller, budget_id)


async def change_budget(
    session: AsyncSession,
    caller: Caller,
    budget_id: uuid.UUID,
    command: w.BudgetUpdate,
    *,
    if_match: str | None,
) -> FundBudget:
    """A new amount (never below what is allocated from it), by the budget's holder."""
    budget = await BUDGET.load(session, caller, budget_id, for_update=True, if_match=if_match)
    BUDGET.authorize(caller, "hold", budget)
    allocated = await repo.allocated_of_budget(session, budget.id)
    if command.amount_yuan < allocated:
        raise RuleViolation(
            "fund.budget-below-allocated",
            _("{allocated} 元 is already allocated from this budget", allocated=allocated),
        )
    budget.amount_yuan = command.amount_yuan
    if "note" in command.model_fields_set:
        budget.note = command.note
    await session.flush()
    return budget


async def allocate(
    session: AsyncSession, caller: Caller, budget_id: uuid.UUID, command: w.AllocationCreate
) -> FundAllocation:
    return await work.allocate(session, caller, budget_id, command)


def allocations(
    caller: Caller,
    *,
    budget_id: uuid.UUID | None = None,
    pilot_id: uuid.UUID | None = None,
    province_code: str | None = None,
) -> sa.Select[FundAllocation]:
    ALLOCATION.authorize(caller, "read")
    return ALLOCATION.query(
        caller, budget_id=budget_id, pilot_id=pilot_id, province_code=province_code
    )


async def disburse(
    session: AsyncSession, caller: Caller, allocation_id: uuid.UUID, command: w.DisbursementCreate
) -> FundDisbursement:
    return await work.disburse(session, caller, allocation_id, command)


async def disbursements(
    session: AsyncSession, caller: Caller, allocation_id: uuid.UUID
) -> sa.Select[FundDisbursement]:
    allocation = await ALLOCATION.load(session, caller, allocation_id)
    return sa.select(FundDisbursement).where(FundDisbursement.allocation_id == allocation.id)


def eligible(
    caller: Caller, *, year: int | None = None, province_code: str | None = None
) -> sa.Select[FundEligibility]:
    """Certified pilots eligible for 贯标试点支持 (fed by `certificate-issued`)."""
    ELIGIBILITY.authorize(caller, "read")
    return ELIGIBILITY.query(caller, year=year, province_code=province_code)
