"""The empowerment policy as typed data. A YAML file is loaded into :class:`Policy` (see ``loader``);
what the types can't say (known kinds, roles and tiers, sensible amounts, rules that can win) the
checker says."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from touchpoint.journeys.model import Duration, Text

RULE_ID_PATTERN = r"^[a-z][a-z0-9_-]*$"
TEAM_PATTERN = r"^team:[a-z][a-z0-9_-]*$"
POLICY_NAME_PATTERN = r"^[a-z][a-z0-9_-]*$"


def _money(value: Any) -> Any:
    """``10``, ``12.50`` and ``"12.50"`` all load as an exact Decimal (a float goes through its text,
    so 12.3 is 12.3, not 12.2999…)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("an amount is a number of the shop's currency, e.g. `25` or `12.50`")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"`{value}` is not an amount — write a number, e.g. `25` or `12.50`") from None
    if not amount.is_finite():
        raise ValueError(f"`{value}` is not an amount — write a number, e.g. `25` or `12.50`")
    return amount


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Amount = Annotated[Decimal, BeforeValidator(_money)]
Word = Annotated[str, Field(min_length=1, max_length=40)]
Words = Annotated[list[Word], Field(min_length=1), BeforeValidator(_one_or_many)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Rule(_Strict):
    """Who may apply a remedy, for which customers, when, and how far (per case)."""

    id: Annotated[str, Field(pattern=RULE_ID_PATTERN, max_length=60)] = Field(
        description="A short name, recorded with every remedy this rule allows, e.g. `agent-standard`."
    )
    roles: Words = Field(description="agent, lead and/or admin: exactly these roles (no inheritance).")
    tiers: Words | None = Field(default=None, description="standard, gold and/or platinum; every tier when left out.")
    when: str | None = Field(default=None, description="A condition over the case, e.g. `in_warranty != false`.")
    max_amount: Amount | None = Field(default=None, description="Money remedies: the most per case, in total.")
    max_count: Annotated[int, Field(strict=True)] | None = Field(
        default=None, description="Other remedies: how many times per case (1 when left out)."
    )
    note: str | None = Field(default=None, max_length=2000)


class RemedyRules(_Strict):
    """One remedy's rules, and what happens when someone needs more than their rule allows."""

    over_limit: Literal["ask_lead", "refuse"] = Field(
        description="ask_lead: one click asks a lead, who decides within `decide_within`; refuse: no more."
    )
    decide_within: Duration | None = Field(default=None, description="How long a lead has to decide, e.g. `4h`.")
    rules: Annotated[list[Rule], Field(min_length=1)]
    note: str | None = Field(default=None, max_length=2000)


class Policy(_Strict):
    """A shop's empowerment policy: which remedies each role may apply, for whom and how far."""

    name: Annotated[str, Field(pattern=POLICY_NAME_PATTERN, max_length=80)]
    title: Text | None = None
    approvers: Annotated[str, Field(pattern=TEAM_PATTERN)] = Field(
        default="team:care", description="The team whose queue gets requests over the limit, e.g. `team:care`."
    )
    remedies: Annotated[dict[str, RemedyRules], Field(min_length=1)]
