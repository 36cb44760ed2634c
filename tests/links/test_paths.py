"""Domain code builds the case page's address without reversing a web URL name; the web's URL
configuration and the builder must agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from touchpoint.links.paths import case_page_path, case_page_url
from touchpoint.links.tokens import token_for


@pytest.mark.parametrize("nonce", ["a", "b" * 32, "0f" * 16])
def test_the_case_page_path_is_the_portals_case_url(nonce: str) -> None:
    token = token_for(nonce)  # a real link token: 43 URL-safe characters
    assert case_page_path(token) == reverse("portal:case", args=[token]) == f"/c/{token}/"


def test_the_case_page_url_is_the_public_address_and_the_path(settings: Any) -> None:
    settings.TOUCHPOINT_PUBLIC_URL = "https://repairs.example.com"
    assert case_page_url("abc_-9") == "https://repairs.example.com/c/abc_-9/"
