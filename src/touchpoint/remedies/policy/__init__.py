"""The empowerment policy language: a YAML file saying which remedies each role may apply, up to
which limits, for which customer tiers and under which conditions; loaded and checked like a
journey (``file:line:col: code slug: what — fix``). Framework-free: nothing here imports Django."""

from touchpoint.remedies.policy.checker import POLICY_RULES, check_policy
from touchpoint.remedies.policy.evaluate import Allowance, allowance
from touchpoint.remedies.policy.kinds import KINDS, Kind
from touchpoint.remedies.policy.loader import LoadedPolicy, PolicyLoadError, load_policy, parse_policy
from touchpoint.remedies.policy.model import Policy, RemedyRules, Rule

__all__ = [
    "KINDS",
    "POLICY_RULES",
    "Allowance",
    "Kind",
    "LoadedPolicy",
    "Policy",
    "PolicyLoadError",
    "RemedyRules",
    "Rule",
    "allowance",
    "check_policy",
    "load_policy",
    "parse_policy",
]
