"""An IPv6 client is given a whole /64 network (one home, one phone) and can pick a fresh address in
it for every request, so rate limits count an IPv6 client per /64: a new address in the same
network doesn't give a fresh bucket, another network does."""

from __future__ import annotations

import pytest
from django.test import Client

from touchpoint.portal.views.links import CLIENT_LIMIT

pytestmark = pytest.mark.django_db


def ask_for_link(address: str) -> int:
    return Client(REMOTE_ADDR=address).post("/link/", {"email": "ian@example.com"}).status_code


def test_a_client_moving_through_its_ipv6_network_keeps_one_bucket() -> None:
    # when one client asks from a new address in its /64 each time, up to the limit
    answers = [ask_for_link(f"2001:db8:7:1::{n + 1:x}") for n in range(CLIENT_LIMIT.count)]
    assert answers == [200] * CLIENT_LIMIT.count
    # then another address in the same network is over the limit too
    assert ask_for_link("2001:db8:7:1:ffff:1234:5678:9abc") == 429
    # but a client in the next network is not
    assert ask_for_link("2001:db8:7:2::1") == 200
    # and IPv4 clients still count one address each
    assert ask_for_link("203.0.113.7") == 200
