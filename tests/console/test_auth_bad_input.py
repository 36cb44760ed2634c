"""A sign-in with a username longer than any account's: Django's sign-in form sets only the input's
maxlength, so the name went on to authentication, where django-axes records each failed name in a
255-character column; PostgreSQL refused it (DataError, a 500; found by the fuzzing). Now the form
refuses it first, saying so, and nothing is recorded."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["x" * 151, "9" * 309])
def test_an_overlong_username_is_refused_before_signing_in_is_tried(username: str) -> None:
    response = Client().post("/console/login/", {"username": username, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "A username has at most 150 characters: check what you typed." in response.content.decode()
    assert AccessAttempt.objects.count() == 0
