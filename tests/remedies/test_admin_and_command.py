"""The policy in the Django admin (checked on save, errors with line and column, one version in
force) and ``touchpoint policy_check`` (exit 0 clean, 1 findings, 2 unreadable)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from touchpoint.remedies.models import PolicyVersion
from touchpoint.remedies.services.policies import DEFAULT_POLICY, policy_active
from touchpoint.staff.models import StaffUser

pytestmark = pytest.mark.django_db

SMALL = """\
name: small-shop
remedies:
  goodwill_credit:
    over_limit: refuse
    rules:
      - id: everyone
        roles: [agent, lead, admin]
        max_amount: 5
"""


@pytest.fixture
def superuser(db: Any) -> StaffUser:
    return StaffUser.objects.create_superuser(username="root", email="root@example.com", password="x" * 12)


def test_with_no_policy_stored_the_shipped_one_is_put_in_force_once() -> None:
    assert PolicyVersion.objects.count() == 0
    version, policy = policy_active()
    again, _ = policy_active()
    assert (version.pk, version.active, version.source, policy.name) == (
        again.pk,
        True,
        DEFAULT_POLICY.read_text(),
        "demo-shop",
    )
    assert PolicyVersion.objects.count() == 1


def test_a_policy_with_errors_is_shown_in_the_form_with_line_and_column(client: Client, superuser: StaffUser) -> None:
    policy_active()
    client.force_login(superuser)
    bad = SMALL.replace("roles: [agent, lead, admin]", "roles: [agent, leed, admin]")
    response = client.post("/admin/remedies/policyversion/add/", {"source": bad, "note": "typo", "active": "on"})
    assert response.status_code == 200
    assert (
        "line 7, column 24: P102 unknown-role: `leed` is not a role — did you mean `lead`?" in response.content.decode()
    )
    assert list(PolicyVersion.objects.values_list("name", "active")) == [("demo-shop", True)]


def test_saving_a_clean_policy_puts_it_in_force_alone(client: Client, superuser: StaffUser) -> None:
    first, _ = policy_active()
    client.force_login(superuser)
    add = client.get("/admin/remedies/policyversion/add/").content.decode()
    assert "name: demo-shop" in add  # a new version starts from the one in force
    response = client.post("/admin/remedies/policyversion/add/", {"source": SMALL, "note": "smaller", "active": "on"})
    assert response.status_code == 302
    version, policy = policy_active()
    assert (version.name, version.note, version.created_by, policy.remedies["goodwill_credit"].rules[0].max_amount) == (
        "small-shop",
        "smaller",
        superuser,
        5,
    )
    first.refresh_from_db()
    assert first.active is False


def test_the_version_in_force_cant_be_switched_off_without_another(client: Client, superuser: StaffUser) -> None:
    version, _ = policy_active()
    client.force_login(superuser)
    response = client.post(f"/admin/remedies/policyversion/{version.pk}/change/", {"note": "off", "active": ""})
    assert response.status_code == 200
    assert "one version is always in force: put another one in force instead" in response.content.decode()
    version.refresh_from_db()
    assert (version.active, version.note) == (True, "the shipped default")


def run(*args: str) -> tuple[int, str, str]:
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("policy_check", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_policy_check_exit_codes(tmp_path: Path) -> None:
    clean = run(str(DEFAULT_POLICY))
    assert clean == (0, "demo-shop: clean (6 remedies, 14 rules)\n", "")

    findings = tmp_path / "findings.yaml"
    findings.write_text(SMALL.replace("max_amount: 5", "max_amount: -5"))
    code, out, err = run(str(findings))
    assert (code, err) == (1, "")
    assert out == (
        f"{findings}:8:21: error P104 bad-amount: rule `everyone` of `goodwill_credit`: `max_amount: -5` allows "
        "nothing — give a positive amount, or remove the rule\nsmall-shop: 1 error, 0 warnings (1 remedies, 1 rules)\n"
    )

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n")
    code, out, err = run(str(broken), str(DEFAULT_POLICY))
    assert code == 2
    assert err.startswith(f"{broken}:2:1: error P010 yaml-syntax: this is not valid YAML")
    assert out == "demo-shop: clean (6 remedies, 14 rules)\n"


def test_policy_check_with_no_file_checks_the_policy_in_force() -> None:
    assert run() == (0, "demo-shop: clean (6 remedies, 14 rules)\n", "")
