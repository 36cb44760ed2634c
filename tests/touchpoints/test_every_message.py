"""Every touch point of the three shipped journeys, written for a real case walked to it, read in
both tones: it says only what the records say (money to the penny, times from the timers), names
only choices the customer's page offers in the state it leaves the case in, shows no internal
keys, and the sober tone never exclaims."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.touchpoints.walk import Route, drive, plan
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.core.clock import at
from touchpoint.core.promises import when_words
from touchpoint.journeys import Actor, Journey, valid_events
from touchpoint.journeys.library import library_file
from touchpoint.journeys.loader import load_journey
from touchpoint.outbox.models import OutboxMessage
from touchpoint.payments.selectors import case_money
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.rendering import RenderedTouchpoint, template_find, touchpoint_render
from touchpoint.touchpoints.services import touchpoint_context
from touchpoint.touchpoints.tone import TONES

JOURNEYS = ["mail-in-repair", "order-problem", "walk-in-warranty"]
URL = re.compile(r"https?://\S+")
AMOUNT = re.compile(r"£[\d,]+\.\d\d")
WHAT_YOU_CAN_DO = re.compile(r"What you can do now:\n((?:- .*\n)+)")


def shipped(name: str) -> Journey:
    path = library_file(name)
    assert path is not None
    return load_journey(path).journey


def both_tones(case: Case, key: str) -> dict[str, RenderedTouchpoint]:
    """The touch point as ``case`` would get it now, in each tone (the tone rule picks one of them)."""
    journey = journey_of(case.journey)
    engine = overrides_current().engine()
    context = touchpoint_context(case=case, journey=journey, key=key)
    template = template_find(engine=engine, journey=journey.name, key=key)
    return {tone: touchpoint_render(engine=engine, template=template, tone=tone, context=context) for tone in TONES}


def internal_words(journey: Journey) -> set[str]:
    """Keys people must never read: states, events, touch points and data fields with an underscore."""
    names = set(journey.states) | set(journey.events) | set(journey.touchpoints) | set(journey.data)
    names |= {e for t in journey.transitions for e in [t.on]}
    return {name for name in names if "_" in name}


def check_message(journey: Journey, case: Case, key: str, written: OutboxMessage) -> None:
    """Everything a message must be true to, for the case as the move left it."""
    where = f"{journey.name}/{key} ({case.reference} in {case.state})"
    money = case_money(case=case)
    amounts = {money.money(a) for a in (money.price, money.paid, money.refunded, money.extra, money.balance_due)}
    amounts |= {money.money(a) for a in (money.balance_paid, money.waived, money.price - money.paid) if a > 0}
    quote = case.data.get("quote_total")
    if quote not in (None, "", 0, "0"):
        amounts.add(money.money(Decimal(str(quote))))
    offered = set(valid_events(journey, state=case.state, data=case.data, actor=Actor("customer")))
    secret = internal_words(journey)
    with at(written.created_at):  # "today" and "tomorrow" as they were when it was written
        tones = both_tones(case, key)
    # The message written in the move's transaction says what the records say once it committed.
    chosen = tones[written.tone]
    assert (written.subject, written.body_text, written.body_html) == (chosen.subject, chosen.text, chosen.html), where
    for tone, got in tones.items():
        said = f"{got.subject}\n{got.text}\n{got.sms}"
        words = URL.sub("", said)
        assert "{{" not in said and "{%" not in said and "None" not in words, where
        leaked = sorted(name for name in secret if re.search(rf"\b{name}\b", words))
        assert leaked == [], f"{where} ({tone}) shows internal keys {leaked}"
        if tone == "sober":
            assert "!" not in words, f"{where}: the sober words exclaim"
        # Money: every amount said is one the records hold, and refunds and "nothing charged" are true.
        for amount in AMOUNT.findall(said):
            assert amount in amounts, f"{where} ({tone}) says {amount}; the records say {sorted(amounts)}"
        if re.search(r"We('ve| are|'re) refund(ed|ing)", said):
            assert money.refunded > 0, f"{where} ({tone}) says refunded, but nothing was refunded"
            assert money.money(money.refunded) in said, where
        if re.search(r"[Nn]othing (has been|was|will have been) charged", said):
            assert money.paid == 0, f"{where} ({tone}) says nothing was charged; {money.money(money.paid)} was paid"
        if "by card" in said:
            assert "card_submitted" in offered or money.balance_due > 0, where
        # "What you can do now": each link lands on a control the page offers in this state.
        block = WHAT_YOU_CAN_DO.search(got.text)
        fragments = re.findall(r"#([\w-]+)$", block.group(1), re.M) if block else []
        for fragment in fragments:
            if fragment == "pay":
                assert money.balance_due > 0 or money.price > money.paid, where
            else:
                assert fragment.startswith("act-") and fragment[4:] in offered, f"{where}: #{fragment} isn't offered"
        html_links = re.findall(r'href="[^"#]*#([\w-]+)"', got.html)
        assert sorted(set(fragments)) == sorted({f for f in html_links if f.startswith("act-") or f == "pay"}), (
            f"{where}: the HTML and text offer different actions"
        )
        for fragment in html_links:
            if fragment == "extra-work":
                assert offered & {"quote_approved", "quote_declined"}, where
            if fragment == "feedback":
                assert "feedback_given" in offered, where
        # Times come from the case's timers.
        for promised in re.findall(r"by (\d\d:\d\d [^,.;]+)", said):
            dues = Timer.objects.filter(case=case, status=TimerStatus.PENDING, state_seq=case.state_seq)
            with at(written.created_at):
                assert any(promised.startswith(when_words(t.due_at)) for t in dues), f"{where}: 'by {promised}'"


@pytest.mark.django_db
@pytest.mark.parametrize("name", JOURNEYS)
def test_every_touch_point_tells_the_truth_in_both_tones(name: str, settings: Any) -> None:
    settings.TOUCHPOINT_BANK_DETAILS = "The Repair Shop Ltd · sort code 12-34-56 · account 12345678"
    journey = shipped(name)
    routes: dict[str, Route] = plan(journey)
    # Every touch point the journey sends can be reached by some route.
    assert sorted(routes) == sorted(journey.touchpoints)
    checked: set[str] = set()

    def seen(message: OutboxMessage, case: Case) -> None:
        check_message(journey_of(case.journey), case, message.touchpoint, message)
        checked.add(message.touchpoint)

    # The longest routes first: they pass through many of the shorter ones' touch points on the way.
    for key, route in sorted(routes.items(), key=lambda item: -len(item[1].moves)):
        if key not in checked:
            drive(name, route, seen)
    assert sorted(checked) == sorted(journey.touchpoints)
