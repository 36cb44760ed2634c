"""The policy checker: what the types can't say about a policy, rule by rule.

Each check has a stable code (``P1xx``), a slug, a severity and a summary (:data:`POLICY_RULES`);
a finding says what is wrong and how to fix it, at the most precise place in the file. Load errors
(``P0xx``) come from the loader. A policy with any error is never put in force.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from decimal import Decimal

from touchpoint.journeys.checker import Rule as CheckRule
from touchpoint.journeys.diagnostics import Diagnostic, Location, Severity
from touchpoint.journeys.guards import satisfiable
from touchpoint.remedies.policy.evaluate import rule_limit
from touchpoint.remedies.policy.kinds import KINDS, MAX_AMOUNT, MAX_COUNT, ROLES, TIERS
from touchpoint.remedies.policy.loader import LoadedPolicy
from touchpoint.remedies.policy.model import RemedyRules, Rule

_E, _W = Severity.ERROR, Severity.WARNING
POLICY_RULES: dict[str, CheckRule] = {
    r.code: r
    for r in (
        CheckRule("P101", "unknown-remedy", _E, "Every remedy is one the shop knows how to give."),
        CheckRule("P102", "unknown-role", _E, "`roles` name agent, lead or admin."),
        CheckRule("P103", "unknown-tier", _E, "`tiers` name standard, gold or platinum."),
        CheckRule("P104", "bad-amount", _E, "An amount is above zero, in pennies at most, and not absurd."),
        CheckRule("P105", "wrong-limit", _E, "Money remedies have `max_amount`; the others a `max_count` from 1."),
        CheckRule(
            "P106", "lead-below-agent", _E, "A lead may do at least what an agent may; an admin what a lead may."
        ),
        CheckRule("P107", "unreachable-rule", _E, "Every rule can be the one that decides."),
        CheckRule(
            "P108", "missing-decide-within", _E, "`over_limit: ask_lead` needs `decide_within`: requests wait in time."
        ),
        CheckRule("P109", "duplicate-rule-id", _E, "Rule ids are unique within a remedy: they are recorded."),
        CheckRule("P110", "nobody-can-approve", _E, "`over_limit: ask_lead` needs a rule for leads or admins."),
        CheckRule("P111", "unused-decide-within", _W, "`decide_within` only matters with `over_limit: ask_lead`."),
    )
}
_RANKS = (("agent", "lead", "agents", "leads"), ("lead", "admin", "leads", "admins"))


def _finding(code: str, message: str, fix: str, location: Location) -> Diagnostic:
    rule = POLICY_RULES[code]
    return Diagnostic(rule.code, rule.slug, rule.severity, message, fix, location)


def _suggest(name: str, known: list[str] | tuple[str, ...], otherwise: str) -> str:
    guess = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean `{guess[0]}`?" if guess else otherwise


def _show(limit: Decimal | int, *, monetary: bool) -> str:
    if monetary:
        return f"{limit:.2f}"
    return f"{limit} time" + ("" if limit == 1 else "s")


def check_policy(loaded: LoadedPolicy) -> list[Diagnostic]:
    """Every finding for a loaded policy, sorted by place in the file, then code."""
    found: list[Diagnostic] = []
    for kind, remedy in loaded.policy.remedies.items():
        if kind not in KINDS:
            otherwise = f"the remedies are: {', '.join(KINDS)}"
            found.append(
                _finding(
                    "P101",
                    f"`{kind}` is not a remedy the shop can give",
                    _suggest(kind, tuple(KINDS), otherwise),
                    loaded.remedy_at(kind),
                )
            )
            continue
        found.extend(_check_remedy(loaded, kind, remedy))
    return sorted(found, key=lambda d: (d.location.line, d.location.column, d.code))


def _check_remedy(loaded: LoadedPolicy, kind: str, remedy: RemedyRules) -> Iterator[Diagnostic]:
    monetary = KINDS[kind].monetary
    ids: dict[str, int] = {}
    for i, rule in enumerate(remedy.rules):
        if rule.id in ids:
            yield _finding(
                "P109",
                f"remedy `{kind}` has two rules called `{rule.id}` (#{ids[rule.id] + 1} and #{i + 1})",
                "give each rule its own id: the id is recorded with every remedy it allows",
                loaded.rule_at(kind, i, "id"),
            )
        ids.setdefault(rule.id, i)
        for j, role in enumerate(rule.roles):
            if role not in ROLES:
                yield _finding(
                    "P102",
                    f"`{role}` is not a role",
                    _suggest(role, ROLES, "use agent, lead or admin"),
                    loaded.rule_at(kind, i, "roles", j),
                )
        for j, tier in enumerate(rule.tiers or []):
            if tier not in TIERS:
                otherwise = "use standard, gold or platinum (or leave `tiers` out for every tier)"
                yield _finding(
                    "P103",
                    f"`{tier}` is not a customer tier",
                    _suggest(tier, TIERS, otherwise),
                    loaded.rule_at(kind, i, "tiers", j),
                )
        yield from _check_limit(loaded, kind, i, rule, monetary=monetary)
    yield from _check_ranks(loaded, kind, remedy, monetary=monetary)
    yield from _check_reachable(loaded, kind, remedy, monetary=monetary)
    if remedy.over_limit == "ask_lead":
        if remedy.decide_within is None:
            yield _finding(
                "P108",
                f"remedy `{kind}` asks a lead over the limit, but doesn't say how long the lead has to decide",
                "add `decide_within: 4h` (the customer is told when they'll hear)",
                loaded.remedy_at(kind, "over_limit"),
            )
        if not any(set(rule.roles) & {"lead", "admin"} for rule in remedy.rules):
            yield _finding(
                "P110",
                f"remedy `{kind}` asks a lead over the limit, but no rule lets a lead or an admin give it",
                "add a rule with `roles: [lead, admin]` and their limit, or use `over_limit: refuse`",
                loaded.remedy_at(kind, "over_limit"),
            )
    elif remedy.decide_within is not None:
        yield _finding(
            "P111",
            f"remedy `{kind}` refuses anything over the limit, so `decide_within` is never used",
            "remove `decide_within`, or use `over_limit: ask_lead`",
            loaded.remedy_at(kind, "decide_within"),
        )


def _check_limit(loaded: LoadedPolicy, kind: str, i: int, rule: Rule, *, monetary: bool) -> Iterator[Diagnostic]:
    where = f"rule `{rule.id}` of `{kind}`"
    if monetary:
        if rule.max_count is not None:
            yield _finding(
                "P105",
                f"{where}: `{kind}` is limited by money, not a count",
                "replace `max_count` with `max_amount: 25` (the most per case)",
                loaded.rule_at(kind, i, "max_count"),
            )
        if rule.max_amount is None:
            if rule.max_count is None:
                yield _finding(
                    "P105",
                    f"{where} has no `max_amount`",
                    "add `max_amount: 25`: the most per case, in total",
                    loaded.rule_at(kind, i),
                )
            return
        amount = rule.max_amount
        problem = None
        if amount <= 0:
            problem, fix = f"`max_amount: {amount}` allows nothing", "give a positive amount, or remove the rule"
        elif amount > MAX_AMOUNT:
            problem, fix = f"`max_amount: {amount}` is more than {MAX_AMOUNT:,} per case", "check for an extra zero"
        elif amount != amount.quantize(Decimal("0.01")):
            problem, fix = (
                f"`max_amount: {amount}` has more than two decimal places",
                "round it to pennies, e.g. `12.50`",
            )
        if problem is not None:
            yield _finding("P104", f"{where}: {problem}", fix, loaded.rule_at(kind, i, "max_amount"))
        return
    if rule.max_amount is not None:
        yield _finding(
            "P105",
            f"{where}: a {KINDS[kind].label.lower()} is not an amount of money",
            "replace `max_amount` with `max_count: 1` (how many times per case), or leave it out for once",
            loaded.rule_at(kind, i, "max_amount"),
        )
    if rule.max_count is not None and not 1 <= rule.max_count <= MAX_COUNT:
        yield _finding(
            "P105",
            f"{where}: `max_count: {rule.max_count}` is not between 1 and {MAX_COUNT}",
            "say how many times per case, e.g. `max_count: 1`; remove the rule to allow none",
            loaded.rule_at(kind, i, "max_count"),
        )


def _tiers(rule: Rule) -> set[str]:
    return set(TIERS) if rule.tiers is None else set(rule.tiers) & set(TIERS)


def _check_ranks(loaded: LoadedPolicy, kind: str, remedy: RemedyRules, *, monetary: bool) -> Iterator[Diagnostic]:
    """A lead gives at least what an agent can, for every tier (rules without `when` only: a
    condition may be meant to narrow one role on purpose)."""
    plain = [(i, r) for i, r in enumerate(remedy.rules) if r.when is None]
    for lower, upper, lowers, uppers in _RANKS:
        short: dict[tuple[int, int | None], list[str]] = {}
        gaps: dict[tuple[int, int | None], tuple[Decimal | int, Decimal | int]] = {}
        for tier in TIERS:
            best_low = _best(plain, lower, tier, monetary=monetary)
            if best_low is None:
                continue
            best_up = _best(plain, upper, tier, monetary=monetary)
            low_limit = rule_limit(best_low[1], monetary=monetary)
            up_limit = rule_limit(best_up[1], monetary=monetary) if best_up is not None else 0
            if up_limit < low_limit:
                key = (best_low[0], best_up[0] if best_up is not None else None)
                short.setdefault(key, []).append(tier)
                gaps[key] = (low_limit, up_limit)
        for (low_index, up_index), tiers in short.items():
            low_limit, up_limit = gaps[(low_index, up_index)]
            low_rule = remedy.rules[low_index]
            who = f"{kind} for {', '.join(tiers)} customers"
            if up_index is None:
                yield _finding(
                    "P106",
                    f"{lowers} may give {who} (rule `{low_rule.id}`), but {uppers} may not at all",
                    f"add `{upper}` to the roles of a rule giving at least {_show(low_limit, monetary=monetary)}",
                    loaded.rule_at(kind, low_index, "roles"),
                )
            else:
                up_rule = remedy.rules[up_index]
                field = "max_amount" if monetary else "max_count"
                yield _finding(
                    "P106",
                    f"{uppers} may give {who} only up to {_show(up_limit, monetary=monetary)} (rule `{up_rule.id}`), "
                    f"less than {lowers}' {_show(low_limit, monetary=monetary)} (rule `{low_rule.id}`)",
                    f"raise `{field}` of rule `{up_rule.id}` to at least {_show(low_limit, monetary=monetary)}, "
                    f"or lower the {lower}'s",
                    loaded.rule_at(kind, up_index, field)
                    if field in up_rule.model_fields_set
                    else loaded.rule_at(kind, up_index),
                )


def _best(rules: list[tuple[int, Rule]], role: str, tier: str, *, monetary: bool) -> tuple[int, Rule] | None:
    best: tuple[int, Rule] | None = None
    for i, rule in rules:
        if role not in rule.roles or tier not in _tiers(rule):
            continue
        if best is None or rule_limit(rule, monetary=monetary) > rule_limit(best[1], monetary=monetary):
            best = (i, rule)
    return best


def _check_reachable(loaded: LoadedPolicy, kind: str, remedy: RemedyRules, *, monetary: bool) -> Iterator[Diagnostic]:
    rules = remedy.rules
    for j, rule in enumerate(rules):
        if rule.when is not None and not satisfiable(rule.when):
            yield _finding(
                "P107",
                f"rule `{rule.id}` of `{kind}` can never apply: its `when` is never true",
                "correct the condition, or remove the rule",
                loaded.rule_at(kind, j, "when"),
            )
            continue
        roles = set(rule.roles) & set(ROLES)
        if not roles or not _tiers(rule):
            continue  # unknown roles or tiers are reported on their own
        for i, other in enumerate(rules):
            if i == j or (other.when is not None and other.when != rule.when):
                continue
            if not (roles <= set(other.roles) and _tiers(rule) <= _tiers(other)):
                continue
            mine, theirs = rule_limit(rule, monetary=monetary), rule_limit(other, monetary=monetary)
            if theirs > mine or (theirs == mine and i < j):
                yield _finding(
                    "P107",
                    f"rule `{rule.id}` of `{kind}` never decides: rule `{other.id}` covers the same people "
                    f"and gives {_show(theirs, monetary=monetary)}",
                    "remove the rule, narrow the other one's roles or tiers, or give this one a `when`",
                    loaded.rule_at(kind, j),
                )
                break
