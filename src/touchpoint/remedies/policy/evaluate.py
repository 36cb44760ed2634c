"""What a policy allows one person for one case, now: the pure decision, no database.

A rule matches a person when it names their role exactly, the customer's tier (or no tier) and its
``when`` holds for the case. Of the matching rules the one giving the most wins (the first in the
file on a tie), and limits are per case, in total: what was already applied of the same remedy on
the case, by anyone, is taken off. So five £10 credits can't get round a £10 limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from touchpoint.journeys.guards import guard_holds
from touchpoint.remedies.policy.kinds import DECIDERS, KINDS
from touchpoint.remedies.policy.model import Policy, Rule

ZERO = Decimal("0.00")


def rule_limit(rule: Rule, *, monetary: bool) -> Decimal | int:
    if monetary:
        return rule.max_amount if rule.max_amount is not None else ZERO
    return rule.max_count if rule.max_count is not None else 1


@dataclass(frozen=True)
class Allowance:
    """How far one role may go with one remedy on one case. ``rule`` is None when no rule allows it."""

    kind: str
    monetary: bool
    rule: Rule | None
    limit: Decimal | int  # the winning rule's limit per case (0 when none)
    remaining: Decimal | int  # what may still be applied now: the limit less what the case already had

    @property
    def rule_key(self) -> str:
        """How the rule is recorded with a remedy: ``goodwill_credit.agent-standard``."""
        return f"{self.kind}.{self.rule.id}" if self.rule is not None else ""

    @property
    def can_apply(self) -> bool:
        return self.rule is not None and self.remaining > 0


def matching_rules(policy: Policy, *, kind: str, role: str, tier: str, facts: Mapping[str, Any]) -> list[Rule]:
    remedy = policy.remedies.get(kind)
    if remedy is None:
        return []
    return [
        rule
        for rule in remedy.rules
        if role in rule.roles and (rule.tiers is None or tier in rule.tiers) and guard_holds(rule.when, facts)
    ]


def allowance(
    policy: Policy,
    *,
    kind: str,
    role: str,
    tier: str,
    facts: Mapping[str, Any],
    applied_amount: Decimal = ZERO,
    applied_count: int = 0,
) -> Allowance:
    """What ``role`` may still apply of ``kind`` for a ``tier`` customer whose case reads ``facts``."""
    monetary = KINDS[kind].monetary if kind in KINDS else True
    best: Rule | None = None
    for rule in matching_rules(policy, kind=kind, role=role, tier=tier, facts=facts):
        if best is None or rule_limit(rule, monetary=monetary) > rule_limit(best, monetary=monetary):
            best = rule
    if best is None:
        return Allowance(kind, monetary, None, ZERO if monetary else 0, ZERO if monetary else 0)
    limit = rule_limit(best, monetary=monetary)
    used: Decimal | int = applied_amount if monetary else applied_count
    remaining = max(limit - used, ZERO if monetary else 0)
    return Allowance(kind, monetary, best, limit, remaining)


def ask_ceiling(
    policy: Policy,
    *,
    kind: str,
    tier: str,
    facts: Mapping[str, Any],
    applied_amount: Decimal = ZERO,
    applied_count: int = 0,
) -> Decimal | int:
    """The most a lead or an admin could approve of ``kind`` on this case now (0: nobody can)."""
    best: Decimal | int = 0
    for role in DECIDERS:
        found = allowance(
            policy,
            kind=kind,
            role=role,
            tier=tier,
            facts=facts,
            applied_amount=applied_amount,
            applied_count=applied_count,
        )
        best = max(best, found.remaining)
    return best
