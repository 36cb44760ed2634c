"""Real mail-in-repair cases walked to a given state the way people move them, for the tests of
quotes, feedback, the tracking page and the rest: the order through the order page's service, the
payment recorded on the payments panel, parcels through the scan station, the diagnosis through the
quote panel, the customer's own steps as their page records them, the bench's through the console.
No state or case data is written by hand."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from tests.support.factories import StaffFactory
from tests.support.orders import place_repair_order, register_library
from touchpoint.cases.actors import CUSTOMER, staff_actor
from touchpoint.cases.models import Case, JourneyVersion, TimelineEntry
from touchpoint.customers.models import Customer
from touchpoint.flows.advance import case_advance
from touchpoint.flows.payments import offline_payment_record
from touchpoint.flows.quotes import quote_decide, quote_propose
from touchpoint.payments.models import OfflineMethod
from touchpoint.payments.selectors import BALANCE_STATES, case_money, case_price
from touchpoint.quotes.models import Quote, QuoteStatus
from touchpoint.shipping.selectors import Action
from touchpoint.shipping.services import scan_record
from touchpoint.staff.models import StaffUser


def register_mail_in_repair() -> JourneyVersion:
    return register_library("mail-in-repair")


def crew() -> StaffUser:
    """One person in every team the walk needs (intake, bench, shipping, care)."""
    existing = StaffUser.objects.filter(username="crew").first()
    return existing or StaffFactory(username="crew", teams=["intake", "bench", "shipping", "care"])


def _fresh(case: Case) -> Case:
    return Case.objects.select_related("journey", "customer").get(pk=case.pk)


def pay_offline(case: Case) -> Case:
    """Intake records the bank transfer on the payments panel: the order's price, or the balance
    for approved extra work once the device waits for it."""
    amount = case_money(case=case).balance_due if case.state in BALANCE_STATES else case_price(case=case)
    assert amount is not None and amount > 0
    offline_payment_record(
        case=case,
        seen_version=case.version,
        staff=crew(),
        amount=amount,
        method=OfflineMethod.BANK_TRANSFER,
        reference=f"Transfer {case.reference}",
    )
    return _fresh(case)


def scan(case: Case, action: Action) -> Case:
    """The parcel is scanned at the scan station."""
    result = scan_record(code=case.reference, action=action, user=crew())
    assert result.outcome == "recorded", result.message
    return _fresh(case)


def customer_says(case: Case, event: str) -> Case:
    """The customer presses the button for ``event`` on their case page ("I've posted my device")."""
    return case_advance(case=case, event=event, actor=CUSTOMER, idempotency_key=f"walk:{case.pk}:{case.version}").case


def console(case: Case, event: str) -> Case:
    """A member of the owning team records ``event`` with the console's button."""
    return case_advance(
        case=case, event=event, actor=staff_actor(crew()), idempotency_key=f"walk:{case.pk}:{case.version}"
    ).case


def diagnose(case: Case, extra: list[tuple[str, str]] | None = None) -> Case:
    """The bench sends the diagnosis from the quote panel: ``extra`` work as (description, price),
    none by default (the repair goes ahead at the price paid)."""
    from touchpoint.flows.quotes import LineInput

    lines = [LineInput(what, f"We found it needs: {what.lower()}.", Decimal(price)) for what, price in extra or []]
    return quote_propose(case=case, version=case.version, by=crew(), lines=lines).case


def answer_quote(case: Case, *, approve: bool) -> Case:
    """The customer answers the open quote on their page."""
    quote = Quote.objects.filter(case=case, status=QuoteStatus.PROPOSED).latest("pk")
    return quote_decide(case=case, quote_id=quote.pk, version=case.version, approve=approve).case


# The happy path (a prepaid box or not; extra work approved and its balance paid, when the
# diagnosis found some): what moves a case on from each state.
_NEXT: dict[str, Callable[[Case], Case]] = {
    "awaiting_payment": pay_offline,
    "box_to_send": lambda case: scan(case, "dispatched"),
    "box_in_post": lambda case: customer_says(case, "box_delivered"),
    "awaiting_device": lambda case: customer_says(case, "device_posted"),
    "device_in_transit": lambda case: scan(case, "arrived"),
    "resting": lambda case: console(case, "surgery_started"),
    "in_surgery": diagnose,
    "awaiting_approval": lambda case: answer_quote(case, approve=True),
    "repairing": lambda case: console(case, "repair_done"),
    "quality_check": lambda case: console(case, "qc_passed"),
    "awaiting_balance": pay_offline,
    "return_to_pack": lambda case: scan(case, "dispatched"),
    "return_in_post": lambda case: customer_says(case, "return_delivered"),
}


def walk_to(case: Case, state: str) -> Case:
    """Move ``case`` along the happy path, from wherever it is on it, until it is in ``state``."""
    for _ in range(len(_NEXT) + 1):
        if case.state == state:
            return case
        step = _NEXT.get(case.state)
        assert step is not None, f"the happy path doesn't lead from {case.state} to {state}"
        case = step(case)
    raise AssertionError(f"the happy path doesn't lead to {state}")


def repair_case(customer: Customer, state: str = "awaiting_payment") -> Case:
    """``customer``'s repair order (no prepaid box, not sure what's wrong), walked to ``state``."""
    return walk_to(place_repair_order(customer), state)


def form(case: Case, **extra: object) -> dict[str, object]:
    """The bench's quote form as the case view draws it, with one line of work."""
    return {
        "version": case.version,
        "finding": "He pulled through.",
        "description": ["New battery", "", ""],
        "explanation": ["The old one holds a charge for ten minutes.", "", ""],
        "price": ["39.00", "", ""],
        "action": "quote",
        **extra,
    }


def snapshot(case: Case) -> tuple[str, int, int, int]:
    """What a refused form must leave as it was: state, version, timeline and quotes."""
    case.refresh_from_db()
    return case.state, case.version, TimelineEntry.objects.filter(case=case).count(), Quote.objects.count()
