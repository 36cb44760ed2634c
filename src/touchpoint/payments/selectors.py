"""Reads about money: a case's payments, its price, its balance and refunds (:func:`case_money`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Max, Min, Q, Sum

from touchpoint.cases.models import Case, TimelineEntry
from touchpoint.catalog.models import DeviceModel
from touchpoint.payments.models import (
    PERSON_OWES,
    OfflineMethod,
    Payment,
    PaymentStatus,
    Provider,
    Purpose,
    Refund,
    RefundStatus,
)
from touchpoint.payments.money import PENNY, ZERO, as_decimal, money
from touchpoint.payments.money import currency as shop_currency
from touchpoint.quotes.models import Quote, QuoteStatus

# A refunded payment was paid first: it counts, less what went back.
TAKEN = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
# While the device waits for the balance of approved extra work to be paid (or waived).
BALANCE_STATES = frozenset({"awaiting_balance", "balance_reminded", "balance_unpaid"})


@dataclass(frozen=True)
class PaymentLine:
    """A payment attempt as the case view lists it."""

    created_at: datetime
    provider: str
    provider_ref: str
    method: str
    reference: str
    recorded_by: str  # who recorded an offline payment, as ``str(StaffUser)`` says it; "" for none
    amount: Decimal
    currency: str
    status: str
    problem: str
    purpose: str = Purpose.ORDER

    @property
    def is_card(self) -> bool:
        return self.provider != Provider.OFFLINE

    @property
    def is_balance(self) -> bool:
        return self.purpose == Purpose.BALANCE

    @property
    def method_label(self) -> str:
        return str(_METHODS.get(self.method, self.method))

    @property
    def status_label(self) -> str:
        return str(_STATUSES.get(self.status, self.status))


_METHODS, _STATUSES = dict(OfflineMethod.choices), dict(PaymentStatus.choices)  # labels (translated when shown)


def case_payment_lines(*, case: Case) -> list[PaymentLine]:
    """Every payment attempt of the case, oldest first, with who recorded the offline ones, as plain
    values in one query (the case view reads it on every request)."""
    rows = (
        Payment.objects.filter(case_id=case.pk)
        .order_by("created_at", "id")
        .values_list(
            "created_at", "provider", "provider_ref", "method", "reference", "recorded_by__first_name",
            "recorded_by__last_name", "recorded_by__username", "amount", "currency", "status", "problem", "purpose",
        )
    )  # fmt: skip
    lines = []
    for at, provider, ref, method, reference, first, last, username, amount, currency, status, problem, purpose in rows:
        by = (f"{first} {last}".strip() or username) if username is not None else ""
        lines.append(PaymentLine(at, provider, ref, method, reference, by, amount, currency, status, problem, purpose))
    return lines


def case_paid_payment(*, case: Case) -> Payment | None:
    """The payment that paid for the order, if one has (a balance paid later is not it)."""
    return Payment.objects.filter(case=case, status__in=TAKEN, purpose=Purpose.ORDER).order_by("paid_at", "id").first()


def case_taken_payments(*, case: Case) -> list[Payment]:
    """Every payment that took money for the case (order and balance), oldest first."""
    return list(Payment.objects.filter(case=case, status__in=TAKEN).order_by("paid_at", "id"))


def case_latest_card_payment(*, case: Case, purpose: Purpose = Purpose.ORDER) -> Payment | None:
    return (
        Payment.objects.filter(case=case, provider=Provider.STRIPE, purpose=purpose)
        .order_by("-created_at", "-id")
        .first()
    )


def case_price(*, case: Case) -> Decimal | None:
    """The order's price: what the order payment takes (:func:`case_order_price`'s total); None when
    the diagnosis price isn't known."""
    found = case_order_price(case=case)
    return found.total if found is not None else None


@dataclass(frozen=True)
class OrderPrice:
    """The order's price as it was fixed when the order was placed: the diagnosis, and the postage of
    the service level chosen for the prepaid box (0, with ``postage_name`` "", when none was chosen)."""

    diagnosis: Decimal
    postage: Decimal
    postage_name: str

    @property
    def total(self) -> Decimal:
        return self.diagnosis + self.postage


def case_order_price(*, case: Case) -> OrderPrice | None:
    """What the order costs: the diagnosis price the order was placed at (``diagnosis_price`` in the
    case data, else the catalog's for the case's device model) plus the postage of the service level
    chosen with it (``service_level_price``, kept with the order by ``flows.intake``: a later price
    change in the console doesn't reach it). None when the diagnosis price isn't known."""
    data = case.data if isinstance(case.data, dict) else {}
    diagnosis = as_decimal(data.get("diagnosis_price"))
    if diagnosis is None or diagnosis <= 0:
        slug = data.get("model")
        if not isinstance(slug, str) or not slug:
            return None
        diagnosis = DeviceModel.objects.filter(slug=slug).values_list("diagnosis_price", flat=True).first()
        if diagnosis is None:
            return None
    postage, name = _postage(data)
    # Money is stored in the case data as a number (39.0): said to the penny.
    return OrderPrice(diagnosis.quantize(PENNY), postage, name)


def _postage(data: dict[str, object]) -> tuple[Decimal, str]:
    """The chosen service level's price and name, as the order kept them; (0, "") for none."""
    if not data.get("prepaid_box") or not data.get("service_level"):
        return ZERO, ""
    price = as_decimal(data.get("service_level_price"))
    if price is None or price < 0:
        return ZERO, ""
    name = data.get("service_level_name")
    return price.quantize(PENNY), name if isinstance(name, str) else str(data["service_level"])


@dataclass(frozen=True)
class RefundLine:
    """One refund as the customer and staff read it."""

    amount: Decimal
    status: str
    through_provider: bool  # back to the card through the provider; else a person pays it back
    how: str  # "to your card", "the way you paid"
    done: bool  # the money is back (the provider said so, or a person marked it paid back)


@dataclass(frozen=True)
class CaseMoney:
    """Where a case's money stands: the one reading pages, messages and the console say it from.

    ``paid`` counts every payment taken (the order and any balance); ``refunded`` every refund
    recorded, owed or done; ``balance_due`` the approved extra work not yet paid or waived."""

    currency: str
    price: Decimal  # the order's price (the diagnosis and any postage); 0 when the case has none
    paid: Decimal
    refunded: Decimal
    extra: Decimal  # approved extra work (the approved quotes' totals)
    balance_paid: Decimal
    waived: Decimal
    balance_due: Decimal
    refunds: tuple[RefundLine, ...] = field(default_factory=tuple)
    postage: Decimal = ZERO  # the part of ``price`` that is the chosen service level's postage
    postage_name: str = ""  # that service level as the customer read it; "" when none was chosen

    @property
    def diagnosis(self) -> Decimal:
        """The part of ``price`` that is the diagnosis and repair."""
        return self.price - self.postage

    def money(self, amount: Decimal | int) -> str:
        return money(amount, self.currency)

    @property
    def net(self) -> Decimal:
        """What the customer has paid us and keeps paid: taken less refunded."""
        return self.paid - self.refunded

    @property
    def refund_ways(self) -> list[str]:
        """How the refunds go back, each said once, in the order recorded."""
        return list(dict.fromkeys(line.how for line in self.refunds))


def case_money(*, case: Case, opened: bool = False) -> CaseMoney:
    """The case's money now: four small queries, five once a balance is due. ``opened``: the case was
    created by the caller's transaction, so nothing has been paid, refunded or quoted: only its price
    is worked out (from its data, without a query when the order gave it)."""
    order = case_order_price(case=case)
    price, postage, name = (order.total, order.postage, order.postage_name) if order is not None else (ZERO, ZERO, "")
    if opened:
        return CaseMoney(shop_currency(), price, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, postage=postage, postage_name=name)
    rows = list(
        Refund.objects.filter(case=case)
        .order_by("created_at", "id")
        .values_list("amount", "status", "provider", "what", "created_at")
    )
    refunds = _refund_lines(rows)
    refunded = sum((line.amount for line in refunds), ZERO)
    # A journey's full refund settles everything before it (even one that found nothing left to
    # refund): extra work approved, paid or waived earlier is not owed again; what is approved after
    # it (a repair resumed) is. The move that promised it says so in its timeline entry.
    cleared = (
        TimelineEntry.objects.filter(case=case, detail__refund="all").aggregate(at=Max("at"))["at"] if rows else None
    )
    since = Q(purpose=Purpose.BALANCE) if cleared is None else Q(purpose=Purpose.BALANCE, paid_at__gt=cleared)
    payments = Payment.objects.filter(case=case, status__in=TAKEN).aggregate(
        paid=Sum("amount"),
        balance=Sum("amount", filter=Q(purpose=Purpose.BALANCE)),
        balance_since=Sum("amount", filter=since),
    )
    paid, balance_paid = payments["paid"] or ZERO, payments["balance"] or ZERO
    extra, waived = _extra_work(case, cleared)
    balance_due = max(extra - (payments["balance_since"] or ZERO) - waived, ZERO)
    if balance_due and case.outcome and not case.data.get("repaired"):
        balance_due = ZERO  # a case that ended unrepaired owes no balance
    return CaseMoney(
        currency=shop_currency(),
        price=price,
        paid=paid,
        refunded=refunded,
        extra=extra,
        balance_paid=balance_paid,
        waived=waived,
        balance_due=balance_due,
        refunds=tuple(refunds),
        postage=postage,
        postage_name=name,
    )


def _refund_lines(rows: Iterable[tuple[Decimal, str, str, str, datetime]]) -> list[RefundLine]:
    lines = []
    for amount, status, provider, _what, _at in rows:
        through = bool(provider) and status not in PERSON_OWES and status != RefundStatus.PAID_BACK
        done = status in (RefundStatus.SUCCEEDED, RefundStatus.PAID_BACK)
        lines.append(RefundLine(amount, status, through, "to your card" if through else "the way you paid", done))
    return lines


def _extra_work(case: Case, cleared: datetime | None) -> tuple[Decimal, Decimal]:
    """Approved extra work since the last full refund (``cleared``), and the fee waivers given on its
    balance: those given since the case first waited for the balance after it (a fee waived earlier
    was some other fee)."""
    approved = Quote.objects.filter(case=case, status=QuoteStatus.APPROVED)
    if cleared is not None:
        approved = approved.filter(decided_at__gt=cleared)
    extra = approved.aggregate(total=Sum("total"))["total"]
    if not extra:
        return ZERO, ZERO
    entered = TimelineEntry.objects.filter(case=case, to_state__in=BALANCE_STATES)
    if cleared is not None:
        entered = entered.filter(at__gt=cleared)
    since = entered.aggregate(at=Min("at"))["at"]
    if since is None:
        return extra, ZERO
    # Through the relation: the remedies sit above the money they read (they waive fees), decision 11.
    waivers = case.remedies.filter(kind="fee_waiver", amount__isnull=False, applied_at__gte=since)
    return extra, waivers.aggregate(total=Sum("amount"))["total"] or ZERO


def case_refunds(*, case: Case) -> list[Refund]:
    """The case's refunds, oldest first, with their payment and who marked a manual one paid back."""
    return list(Refund.objects.filter(case=case).select_related("payment", "paid_back_by").order_by("created_at", "id"))
