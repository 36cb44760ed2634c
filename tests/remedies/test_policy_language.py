"""The policy language: every load error (P0xx) and checker finding (P1xx), each at its place in
the file, and the shipped policy clean. No database: the policy core is framework-free."""

from __future__ import annotations

from pathlib import Path

import pytest

from touchpoint.remedies.policy import POLICY_RULES, PolicyLoadError, check_policy, load_policy, parse_policy

SHIPPED = Path(__file__).resolve().parents[2] / "src/touchpoint/remedies/policies/default.yaml"

GOOD_TAIL = """\
    over_limit: ask_lead
    decide_within: 4h
    rules:
      - id: agent
        roles: [agent]
        max_amount: 10
      - id: lead
        roles: [lead, admin]
        max_amount: 50
"""


def load_errors(text: str | bytes) -> list[str]:
    with pytest.raises(PolicyLoadError) as caught:
        parse_policy(text, "p.yaml")
    return [d.format() for d in caught.value.diagnostics]


def findings(text: str) -> list[str]:
    return [d.format() for d in check_policy(parse_policy(text, "p.yaml"))]


def test_the_shipped_policy_loads_and_is_clean() -> None:
    loaded = load_policy(SHIPPED)
    assert check_policy(loaded) == []
    assert loaded.policy.approvers == "team:care"
    assert list(loaded.policy.remedies) == [
        "goodwill_credit",
        "refund",
        "fee_waiver",
        "replacement",
        "expedited_return",
        "warranty_swap_without_receipt",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"name: x\x00", "p.yaml: error P001 not-text: the file is binary, not text — give a YAML text file"),
        (b"name: x\n\xff\n", "p.yaml:2:1: error P001 not-text: byte 8 is not UTF-8 text — save the file as UTF-8"),
        ("a" * (1024 * 1024 + 1), "p.yaml: error P002 too-large: the text is longer than 1,048,576 characters"),
        ("  \n", "p.yaml:1:1: error P003 empty: the policy is empty — start with `name: my-shop` and `remedies:`"),
        ("# only a comment\n---\n", "p.yaml:1:1: error P003 empty: the policy holds no YAML document"),
        ("name: a\nname: b\n", "p.yaml:2:1: error P004 duplicate-key: `name` appears twice here (first at line 1)"),
        ("a:" + " [" * 50 + "]" * 50, "p.yaml:1:"),
        ("a: &x 1\nb: *x\n", "p.yaml:2:4: error P006 alias: the alias `*x` repeats a value"),
        ("? [a]\n: 1\n", "p.yaml:1:3: error P007 bad-key: a key must be plain text"),
        ("a: !!binary aGk=\n", "p.yaml:1:4: error P008 binary-value"),
        ("name: [x\n", "p.yaml:2:1: error P010 yaml-syntax: this is not valid YAML"),
        ("name: a\n---\nname: b\n", "p.yaml:3:1: error P011 many-documents"),
        ("- a\n", "p.yaml:1:1: error P012 not-a-mapping: the file is not a mapping of policy fields"),
    ],
)
def test_a_file_that_cant_be_read_is_one_located_error(text: str | bytes, expected: str) -> None:
    errors = load_errors(text)
    assert len(errors) == 1
    assert errors[0].startswith(expected), errors[0]


def test_too_deep_nesting_is_p005_with_policy_words() -> None:
    (error,) = load_errors("a:" + " [" * 50 + "]" * 50)
    assert " error P005 too-deep: the file is nested more than 40 levels deep — a policy needs only" in error


def test_unknown_missing_and_wrong_fields_are_located_with_a_fix() -> None:
    text = """\
name: Demo Shop
approvers: care
remedies:
  refund:
    over_limt: ask_lead
    decide_within: 4x
    rules:
      - id: agent
        roles: [agent]
        max_amount: lots
        max_count: many
      - roles: [lead]
"""
    assert load_errors(text) == [
        "p.yaml:1:7: error P022 bad-value: `name`: `Demo Shop` is not allowed here — use lower-case letters, "
        "digits, `-` and `_`, starting with a letter (e.g. `agent-standard`)",
        "p.yaml:2:12: error P022 bad-value: `approvers`: `care` is not allowed here — write `team:<name>`, "
        "e.g. `team:care`",
        "p.yaml:6:20: error P022 bad-value: remedy `refund`, field `decide_within`: `4x` is not a duration — write "
        "a number and a unit, e.g. `30m`, `4h`, `2d`, `1w` or `1d12h`",
        "p.yaml:10:21: error P022 bad-value: remedy `refund`, rule #1, field `max_amount`: `lots` is not an amount "
        "— write a number, e.g. `25` or `12.50`",
        "p.yaml:11:20: error P023 wrong-type: remedy `refund`, rule #1, field `max_count`: Input should be a valid "
        "integer — write a whole number, e.g. `1`",
        "p.yaml:12:9: error P021 missing-field: remedy `refund`, rule #2 is missing `id` — add `id: agent-standard`: "
        "a short name recorded with every remedy the rule allows",
        # the misspelt `over_limit` is said once, with its guess, not also as a missing field
        "p.yaml:5:5: error P020 unknown-field: remedy `refund` has an unknown field `over_limt` — "
        "did you mean `over_limit`?",
    ]


def test_a_condition_that_isnt_one_points_at_the_character() -> None:
    text = "name: x\nremedies:\n  refund:\n" + GOOD_TAIL + "        when: tier == gold)\n"
    (error,) = load_errors(text)
    assert error.startswith("p.yaml:13:27: error P030 bad-condition: the condition `tier == gold)` is not a valid")


def test_a_missing_file_and_a_folder_are_p000(tmp_path: Path) -> None:
    for path, what in ((tmp_path / "nope.yaml", "no such file"), (tmp_path, "this is a folder, not a file")):
        with pytest.raises(PolicyLoadError) as caught:
            load_policy(path)
        (error,) = caught.value.diagnostics
        assert error.format().startswith(f"{path}: error P000 unreadable: {what}")


# --- the checker -----------------------------------------------------------------------------


def test_unknown_remedy_role_and_tier_say_what_was_meant() -> None:
    text = (
        """\
name: x
remedies:
  goodwil_credit:
"""
        + GOOD_TAIL
        + """\
  refund:
    over_limit: refuse
    rules:
      - id: agent
        roles: [agnet, lead, admin]
        tiers: [gold, platnum]
        max_amount: 10
"""
    )
    assert findings(text) == [
        "p.yaml:3:3: error P101 unknown-remedy: `goodwil_credit` is not a remedy the shop can give — "
        "did you mean `goodwill_credit`?",
        "p.yaml:17:17: error P102 unknown-role: `agnet` is not a role — did you mean `agent`?",
        "p.yaml:18:23: error P103 unknown-tier: `platnum` is not a customer tier — did you mean `platinum`?",
    ]


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("-5", "`max_amount: -5` allows nothing — give a positive amount, or remove the rule"),
        ("0", "`max_amount: 0` allows nothing — give a positive amount, or remove the rule"),
        ("25000", "`max_amount: 25000` is more than 10,000 per case — check for an extra zero"),
        ("10.001", "`max_amount: 10.001` has more than two decimal places — round it to pennies, e.g. `12.50`"),
    ],
)
def test_a_negative_zero_absurd_or_fractional_penny_amount_is_p104(amount: str, problem: str) -> None:
    text = f"""\
name: x
remedies:
  refund:
    over_limit: refuse
    rules:
      - id: everyone
        roles: [agent, lead, admin]
        max_amount: {amount}
"""
    assert findings(text) == [f"p.yaml:8:21: error P104 bad-amount: rule `everyone` of `refund`: {problem}"]


def test_money_and_count_limits_fit_their_remedy() -> None:
    text = """\
name: x
remedies:
  refund:
    over_limit: refuse
    rules:
      - id: counted
        roles: [agent, lead, admin]
        max_count: 2
  replacement:
    over_limit: refuse
    rules:
      - id: priced
        roles: [agent, lead, admin]
        max_amount: 20
      - id: many
        roles: [agent, lead, admin]
        tiers: [gold]
        max_count: 11
"""
    assert findings(text) == [
        "p.yaml:8:20: error P105 wrong-limit: rule `counted` of `refund`: `refund` is limited by money, not a "
        "count — replace `max_count` with `max_amount: 25` (the most per case)",
        "p.yaml:14:21: error P105 wrong-limit: rule `priced` of `replacement`: a replacement is not an amount of "
        "money — replace `max_amount` with `max_count: 1` (how many times per case), or leave it out for once",
        "p.yaml:18:20: error P105 wrong-limit: rule `many` of `replacement`: `max_count: 11` is not between 1 and "
        "10 — say how many times per case, e.g. `max_count: 1`; remove the rule to allow none",
    ]


def test_a_lead_below_an_agent_is_p106_at_the_leads_limit() -> None:
    text = """\
name: x
remedies:
  refund:
    over_limit: refuse
    rules:
      - id: agent
        roles: [agent]
        max_amount: 40
      - id: lead
        roles: [lead, admin]
        tiers: [gold]
        max_amount: 30
"""
    assert findings(text) == [
        "p.yaml:7:16: error P106 lead-below-agent: agents may give refund for standard, platinum customers "
        "(rule `agent`), but leads may not at all — add `lead` to the roles of a rule giving at least 40.00",
        "p.yaml:12:21: error P106 lead-below-agent: leads may give refund for gold customers only up to 30.00 "
        "(rule `lead`), less than agents' 40.00 (rule `agent`) — raise `max_amount` of rule `lead` to at least "
        "40.00, or lower the agent's",
    ]


def test_a_rule_another_always_beats_and_a_condition_never_true_are_unreachable() -> None:
    text = """\
name: x
remedies:
  goodwill_credit:
    over_limit: refuse
    rules:
      - id: everyone
        roles: [agent, lead, admin]
        max_amount: 20
      - id: gold-agents
        roles: [agent]
        tiers: [gold]
        max_amount: 15
      - id: never
        roles: [agent]
        when: days_open > 5 and days_open < 2
        max_amount: 50
"""
    assert findings(text) == [
        "p.yaml:9:9: error P107 unreachable-rule: rule `gold-agents` of `goodwill_credit` never decides: rule "
        "`everyone` covers the same people and gives 20.00 — remove the rule, narrow the other one's roles or "
        "tiers, or give this one a `when`",
        "p.yaml:15:15: error P107 unreachable-rule: rule `never` of `goodwill_credit` can never apply: its `when` "
        "is never true — correct the condition, or remove the rule",
    ]


def test_asking_a_lead_needs_a_wait_limit_and_a_lead_rule() -> None:
    text = """\
name: x
remedies:
  fee_waiver:
    over_limit: ask_lead
    rules:
      - id: agent
        roles: [agent]
        max_amount: 10
      - id: agent
        roles: [agent]
        tiers: [gold]
        when: days_open > 3
        max_amount: 20
"""
    assert findings(text) == [
        "p.yaml:4:5: error P108 missing-decide-within: remedy `fee_waiver` asks a lead over the limit, but doesn't "
        "say how long the lead has to decide — add `decide_within: 4h` (the customer is told when they'll hear)",
        "p.yaml:4:5: error P110 nobody-can-approve: remedy `fee_waiver` asks a lead over the limit, but no rule "
        "lets a lead or an admin give it — add a rule with `roles: [lead, admin]` and their limit, or use "
        "`over_limit: refuse`",
        "p.yaml:7:16: error P106 lead-below-agent: agents may give fee_waiver for standard, gold, platinum "
        "customers (rule `agent`), but leads may not at all — add `lead` to the roles of a rule giving at least "
        "10.00",
        "p.yaml:9:13: error P109 duplicate-rule-id: remedy `fee_waiver` has two rules called `agent` (#1 and #2) "
        "— give each rule its own id: the id is recorded with every remedy it allows",
    ]


def test_a_wait_limit_nobody_uses_is_a_warning() -> None:
    text = """\
name: x
remedies:
  expedited_return:
    over_limit: refuse
    decide_within: 1h
    rules:
      - id: everyone
        roles: [agent, lead, admin]
"""
    assert findings(text) == [
        "p.yaml:5:5: warning P111 unused-decide-within: remedy `expedited_return` refuses anything over the "
        "limit, so `decide_within` is never used — remove `decide_within`, or use `over_limit: ask_lead`"
    ]


def test_every_checker_code_is_exercised_here() -> None:
    source = Path(__file__).read_text()
    assert [code for code in POLICY_RULES if f" {code} " not in source] == []
