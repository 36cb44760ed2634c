"""Work the worker does on each pass besides timers and messages, one entry per area.

Each job is ``fn(*, worker_id, batch, lease_seconds) -> int``: it claims what is due under a lease
(``outbox.services.claim_due``), works it with bounded retries, hands what finally fails to a person,
and returns how many items it worked. Areas stay in their own modules; this list only names them,
in the order they run."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

Job = Callable[..., int]

# (name, "module:function")
JOBS: list[tuple[str, str]] = [
    ("refunds", "touchpoint.flows.jobs:refunds_send"),
    ("link-requests", "touchpoint.outbox.jobs:link_requests_work"),  # "email me a new link", asked on the page
    ("eta-figures", "touchpoint.cases.eta:eta_figures_work"),  # the ETA figures of journeys whose cases finished
    ("lane-figures", "touchpoint.shipping.lanes:lane_figures_work"),  # transit times per lane, as parcels finish
    ("insights-figures", "touchpoint.insights.snapshots:snapshots_work"),  # insights and people pages' windows
    ("parcel-watchdog", "touchpoint.shipping.watchdog:watchdog_work"),  # parcels silent past their lane's bound
    ("shipping-labels", "touchpoint.shipping.postage_buy:labels_buy_work"),  # prepaid labels; idle unless configured
    ("shipping-poll", "touchpoint.shipping.poll:shipping_poll_work"),  # trackers of aggregators with no webhooks
    ("shipping-voids", "touchpoint.shipping.voids:label_voids_work"),  # unused labels refunded through the aggregator
    ("demo-pay", "touchpoint.demopay.jobs:demo_pay_work"),  # the demo card page's events; idle unless `demo` is on
    ("demo-carrier", "touchpoint.demo.carrier_sim:carrier_sim_work"),  # the demo's parcels scanned; idle unless demo
    ("demo-phone", "touchpoint.devmail.phone:phone_work"),  # the demo's switched-off phone's receipts; idle unless demo
    ("silence-guard", "touchpoint.flows.silence_guard:silence_guard_work"),  # customers unheard for nearly max_silence
]


def jobs() -> list[tuple[str, Job]]:
    out = []
    for name, target in JOBS:
        module, function = target.split(":")
        out.append((name, getattr(import_module(module), function)))
    return out
