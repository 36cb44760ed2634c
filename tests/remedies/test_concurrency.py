"""Two agents giving the last of a limit at the same moment: the case's row lock lets one through,
and the other is refused; the limit is never passed. Real threads, real connections."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from touchpoint.cases.errors import CaseConflict
from touchpoint.cases.models import Case
from touchpoint.remedies.errors import RemedyRefused
from touchpoint.remedies.models import Remedy
from touchpoint.remedies.services.policies import policy_active
from touchpoint.remedies.services.remedies import remedy_apply
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_agents_at_once_never_pass_the_limit(new_case: Case) -> None:
    from tests.support.factories import StaffFactory

    policy_active()
    agents = [StaffFactory(username=f"agent{i}") for i in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def give(agent: StaffUser, key: str) -> None:
        case = Case.objects.get(pk=new_case.pk)
        start.wait()
        try:
            remedy_apply(
                case=case,
                user=agent,
                kind="goodwill_credit",
                amount="8",
                reason="Late",
                expected_version=case.version,
                idempotency_key=key,
            )
            outcomes.append("given")
        except (RemedyRefused, CaseConflict) as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=give, args=(agent, f"n{i}")) for i, agent in enumerate(agents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["CaseConflict", "given"]
    assert list(Remedy.objects.values_list("amount", flat=True)) == [Decimal("8.00")]
