"""Render a case's touch point: decide the tone, build the context, render the templates.

The context says only what the records say: money from :func:`touchpoint.payments.selectors.case_money`
(never worked out here), the customer's actions from the journey (what their case page offers in
the state the message leaves the case in), and times from the case's pending timers (the clock
that holds the team to them). A template can then promise only what is backed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from touchpoint.cases.models import Case, Timer, TimerStatus
from touchpoint.cases.recording import OWN_PANEL
from touchpoint.catalog.selectors import device_name
from touchpoint.core.money import as_decimal, money_text
from touchpoint.core.promises import day_words, when_words
from touchpoint.journeys import Actor, Journey, valid_events
from touchpoint.journeys.progress import case_progress
from touchpoint.links.paths import case_page_url
from touchpoint.links.services import link_token
from touchpoint.payments.providers.registry import card_provider
from touchpoint.payments.selectors import CaseMoney, case_money
from touchpoint.quotes.selectors import quote_latest
from touchpoint.shop.selectors import shop_currency, shop_settings
from touchpoint.touchpoints.brand import avatar_url, brand_context
from touchpoint.touchpoints.overrides import overrides_current
from touchpoint.touchpoints.persona import Persona, persona_load
from touchpoint.touchpoints.rendering import (
    RenderedTouchpoint,
    persona_context,
    progress_context,
    template_dirs,
    template_find,
    touchpoint_render,
)
from touchpoint.touchpoints.tone import ToneDecision, tone_for_case

CUSTOMER = Actor("customer")
# The journey events that pay what a case owes: the order's price, then the balance for extra work.
ORDER_PAYMENT_EVENTS = ("card_submitted", "offline_payment_received")
BALANCE_PAYMENT_EVENT = "balance_paid"
# Anchors on the customer's case page (the panels that own these steps put them there).
PAY_ANCHOR, EXTRA_WORK_ANCHOR, FEEDBACK_ANCHOR = "pay", "extra-work", "feedback"


@dataclass(frozen=True)
class CaseMessage:
    rendered: RenderedTouchpoint
    tone: ToneDecision


def reply_address(*, case: Case) -> str:
    """Where the customer's reply goes: ``reply+<token>@<TOUCHPOINT_REPLY_DOMAIN>``."""
    return f"reply+{case.reply_token}@{settings.TOUCHPOINT_REPLY_DOMAIN}"


def tracking_url(*, case: Case, opened: bool = False) -> str:
    """The case's page for its customer (the magic link), as an absolute address for messages."""
    return case_page_url(link_token(case=case, opened=opened))


def due_context(*, case: Case, timers: Sequence[Timer] | None = None) -> dict[str, str]:
    """When the case's pending timers for its current state fall due, in the one clock every promise
    uses (:mod:`touchpoint.core.promises`), "" when none:
    ``wait`` (the wait limit: the next thing happens by then), ``wait_day``, ``accept`` (the
    team must take the case on by then). A message promises a time only from these.

    ``timers``: those the caller's transaction wrote for the case's current state (no other timer
    can have its ``state_seq``), so they are not read back; else they are read."""
    due = {"wait": "", "wait_day": "", "accept": ""}
    if timers is None:
        pending = Timer.objects.filter(case_id=case.pk, status=TimerStatus.PENDING, state_seq=case.state_seq)
        found = list(pending.order_by("due_at").values_list("purpose", "due_at"))
    else:
        mine = [t for t in timers if t.status == TimerStatus.PENDING and t.state_seq == case.state_seq]
        found = [(t.purpose, t.due_at) for t in sorted(mine, key=lambda t: t.due_at)]
    for purpose, at in found:
        if purpose == "wait" and not due["wait"]:
            due["wait"], due["wait_day"] = when_words(at), day_words(at)
        elif purpose == "accept" and not due["accept"]:
            due["accept"] = when_words(at)
    return due


def money_context(*, case: Case, journey: Journey, found: CaseMoney) -> dict[str, Any]:
    """The case's money as a message says it: formatted amounts, ``""`` for none.

    ``due`` is what the customer is asked to pay now: the order's price while the journey waits for
    the payment, the balance while it waits for that, else nothing."""
    events = journey.events_from(case.state)
    due = found.price - found.paid if any(e in events for e in ORDER_PAYMENT_EVENTS) else 0
    if BALANCE_PAYMENT_EVENT in events:
        due = found.balance_due
    quote = as_decimal((case.data or {}).get("quote_total"))

    def say(amount: Any) -> str:
        return money_text(amount, found.currency) if amount is not None and amount > 0 else ""

    return {
        "price": say(found.price),
        "paid": say(found.paid),
        "refunded": say(found.refunded),
        # Everything taken has gone back (or is going back): "a full refund" is true.
        "refunded_all": found.refunded > 0 and found.refunded >= found.paid,
        # Every refund goes back to the card through the provider; else a person pays some back.
        "refund_to_card": bool(found.refunds) and all(line.through_provider for line in found.refunds),
        # Every refund is back with the customer ("we've refunded"), not still on its way ("we're refunding").
        "refund_done": bool(found.refunds) and all(line.done for line in found.refunds),
        "extra": say(found.extra),
        "balance_due": say(found.balance_due),
        "balance_paid": say(found.balance_paid),
        "waived": say(found.waived),
        "due": say(due),
        "quote": say(quote),
    }


def asks_payment(*, case: Case, journey: Journey) -> bool:
    """Whether the case's state waits for a payment (the order's or the balance): then a message
    asks for money (:func:`money_context`'s ``due``), and that needs the case's money read."""
    events = journey.events_from(case.state)
    return BALANCE_PAYMENT_EVENT in events or any(e in events for e in ORDER_PAYMENT_EVENTS)


class Later(Mapping[str, Any]):
    """A context value worked out the first time a template reads it, then kept: most messages never
    say the case's money, and reading it takes four queries. The template is rendered inside the
    transaction that moved the case, so what it reads is what that transaction sees."""

    def __init__(self, make: Callable[[], Mapping[str, Any]]) -> None:
        self._make = make
        self._value: Mapping[str, Any] | None = None

    def _got(self) -> Mapping[str, Any]:
        if self._value is None:
            self._value = self._make()
        return self._value

    def __getitem__(self, name: str) -> Any:
        return self._got()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._got())

    def __len__(self) -> int:
        return len(self._got())


def customer_actions(*, case: Case, journey: Journey, url: str, card: bool, pay_due: str) -> list[dict[str, str]]:
    """What the customer can do now, each a link to the control on their case page that does it:
    ``#act-<event>`` for each journey event the case's state offers them, and ``#pay`` when money is
    due and no journey event of theirs pays it (the balance: the pay panel takes it)."""
    events = valid_events(journey, state=case.state, data=case.data or {}, actor=CUSTOMER)
    actions = [
        {"event": event, "label": journey.customer_label(event), "url": f"{url}#act-{event}"}
        for event in events
        if journey.in_messages(event)
        and (card or event != "card_submitted")  # the pay panel has no card button without a card provider
    ]
    if pay_due and not any(a["event"] == "card_submitted" for a in actions):
        actions.insert(0, {"event": "", "label": f"Pay {pay_due}", "url": f"{url}#{PAY_ANCHOR}"})
    return actions


def quote_lines(*, case: Case) -> list[dict[str, str]]:
    """Each line of the quote waiting for the customer's answer: what the work is, and its price."""
    quote = quote_latest(case=case)
    if quote is None or not quote.is_open:
        return []
    return [
        {"description": line.description, "price": money_text(line.price, shop_currency())}
        for line in quote.lines.all()
    ]


def device_words(data: dict[str, Any]) -> str:
    """What the customer calls their device: the catalog's name for the case's ``model``, else what
    the counter wrote down (``device``), else "device"."""
    if data.get("model"):
        return device_name(str(data["model"]))
    written = str(data.get("device") or "").strip()
    return written or device_name(None)


def shop_context() -> dict[str, Any]:
    """The shop's name and postal address (where a customer sends a device without a prepaid box),
    its logo and brand colour (the email layout's)."""
    shop = shop_settings()  # set in the console
    lines = shop.address_lines
    return {"name": shop.name, "address": ", ".join(lines), "address_lines": lines, **brand_context(shop)}


def touchpoint_context(
    *,
    case: Case,
    journey: Journey,
    key: str,
    persona: Persona | None = None,
    opened: bool = False,
    timers: Sequence[Timer] | None = None,
) -> dict[str, Any]:
    """What every touch point template may use (plain values, the same shape as the sample data).
    ``persona`` defaults to the journey's from the files; the admin's override is passed in.

    ``case`` is in the state the message leaves it in; money, actions and times are read now
    (``opened``, ``timers``: what the caller's transaction wrote, see :func:`case_message_render`)."""
    state = journey.states[case.state]
    persona = persona or persona_load(key=journey.persona, dirs=template_dirs())
    data = case.data or {}
    url = tracking_url(case=case, opened=opened)
    money: Mapping[str, Any]
    if asks_payment(case=case, journey=journey):  # the amount due shows in the actions and the pay link
        money = money_context(case=case, journey=journey, found=case_money(case=case, opened=opened))
        due = money["due"]
    else:  # nothing is due (money_context says "" then): the money is read only if the words say it
        money = Later(lambda: money_context(case=case, journey=journey, found=case_money(case=case, opened=opened)))
        due = ""
    quote = as_decimal(data.get("quote_total"))
    card = card_provider() is not None
    actions = customer_actions(case=case, journey=journey, url=url, card=card, pay_due=due)
    panels = {OWN_PANEL.get(a["event"], "") for a in actions}
    return {
        # The name given with this case (an order proves no one's identity), not the customer record's.
        "customer": {"first_name": case.contact_first_name, "name": case.contact_name},
        "case": {"reference": case.reference},
        "state": {"label": state.label, "next_step": state.next_step or ""},
        "summary": journey.touchpoints.get(key, key.replace("_", " ")),
        "persona": persona_context(persona, avatar_url=avatar_url(persona)),
        # Where the case is on its way (the journey's milestones, worked out once per process: no query).
        "progress": progress_context(case_progress(journey, case.state)),
        "device": device_words(data),
        "data": {name: data[name] for name in journey.data if name in data},
        "shop": shop_context(),
        "quote_total": money_text(quote, shop_currency()) if quote is not None and quote > 0 else "",
        # The work a quote waiting for the customer's answer lists ("a new battery"), when there is one.
        "quote_lines": quote_lines(case=case) if "quotes" in panels else [],
        "money": money,
        "pay": {
            "url": f"{url}#{PAY_ANCHOR}" if due else "",
            "card": card,
            "bank": "offline" in settings.TOUCHPOINT_PAYMENT_PROVIDERS,
            "bank_details": shop_settings().bank_details,
        },
        "actions": actions,
        "offers": [a["event"] for a in actions if a["event"]],
        "links": {
            "extra_work": f"{url}#{EXTRA_WORK_ANCHOR}" if "quotes" in panels else "",
            "feedback": f"{url}#{FEEDBACK_ANCHOR}" if "feedback" in panels else "",
        },
        "due": due_context(case=case, timers=timers),
        "reply_address": reply_address(case=case),
        "tracking_url": url,
        "journey": {"title": journey.title or journey.name},
    }


def case_message_render(
    *, case: Case, journey: Journey, key: str, opened: bool = False, timers: Sequence[Timer] | None = None
) -> CaseMessage:
    """The message ``case`` (already in its new state) sends for touch point ``key``.

    ``opened``: the case was created by the caller's transaction, a moment ago. Then no row but
    those that transaction wrote refers to it (no payment, refund, quote, link, message or customer
    message), so what only those rows could say is known without asking: that saves a query each.
    ``timers``: the timers the caller's transaction wrote for the case's new state (passed along,
    not read back: :func:`due_context`)."""
    tone = tone_for_case(case=case, journey=journey, opened=opened)
    overrides = overrides_current()  # the admin's templates and persona come before the files
    engine = overrides.engine()
    template = template_find(engine=engine, journey=journey.name, key=key)
    persona = overrides.persona(journey.persona)
    context = touchpoint_context(case=case, journey=journey, key=key, persona=persona, opened=opened, timers=timers)
    return CaseMessage(touchpoint_render(engine=engine, template=template, tone=tone.tone, context=context), tone)
