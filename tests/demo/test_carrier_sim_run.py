"""`make run`'s demo carrier, end to end: `touchpoint run` with the demo's settings serves the app,
and its worker posts the demo carrier's signed scans over HTTP to it, where they land in the
parcel's history and on the customer's page; SIGTERM stops it all."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.ops.test_run import MAIL_ENV, get
from tests.support.carriers import dispatched
from tests.support.processes import django_env, touchpoint, wait_for
from tests.support.smtp import free_port
from touchpoint.shipping.models import TrackingEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_make_run_starts_the_demo_carrier_whose_scans_land_on_the_running_app(tmp_path: Path) -> None:
    # Given a repair kit in the post (ordered on the page, dispatched at the scan station)
    customer = dispatched(tracking_number="RM100000009GB")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = django_env(
        **MAIL_ENV,
        TOUCHPOINT_VAR_DIR=str(tmp_path),
        TOUCHPOINT_PUBLIC_URL=base,
        TOUCHPOINT_CARRIER_AFTERSHIP_SECRET="demo-carrier-secret",
        TOUCHPOINT_DEMO_CARRIER_STEP_SECONDS="1",
    )
    # When the demo runs as `make run` runs it
    server = touchpoint("run", "--port", str(port), env=env)
    try:
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, timeout=180, what="the web app to answer")
        # Then the carrier's scans arrive over HTTP, signed, and are kept
        wait_for(
            lambda: TrackingEvent.objects.filter(shipment__case=customer.case, status="in_transit").exists(),
            timeout=180,
            what="the demo carrier's in-transit scan to land",
        )
        event = TrackingEvent.objects.filter(shipment__case=customer.case).earliest("occurred_at")
        assert (event.provider, event.status) == ("aftership", "pre_transit")
        assert "Item received at the mail centre" in customer.page()
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert out.rstrip().endswith("stopped")
