"""Parcels a case sends or receives, and what their carriers said about them.

A tracking number finds its case at the scan station, in search and at the carriers' webhooks."""

from __future__ import annotations

from django.db import models


class Leg(models.TextChoices):
    BOX = "box", "Repair kit to the customer"
    INBOUND = "inbound", "Device to the shop"
    RETURN = "return", "Device home"


# How each leg's label is read by a person (tasks, the scan station)
LEG_WORDS = {Leg.INBOUND: "the prepaid label", Leg.BOX: "the repair kit's label", Leg.RETURN: "the label home"}


class Provider(models.TextChoices):
    """Who tells us where the parcel is. Blank: the shop's own label, with no aggregator tracking it."""

    AFTERSHIP = "aftership", "AfterShip"
    EASYPOST = "easypost", "EasyPost"
    SHIPPO = "shippo", "Shippo"


class Shipment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="shipments")
    leg = models.CharField(max_length=10, choices=Leg.choices)
    carrier = models.CharField(max_length=60, blank=True)
    tracking_number = models.CharField(max_length=60, blank=True, db_index=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=10, choices=Provider.choices, blank=True)
    service_level = models.CharField(max_length=60, blank=True)
    expected_by = models.DateTimeField(null=True, blank=True)
    # The furthest canonical status the carrier has reported (blank: nothing heard yet), and when it
    # happened; it only moves forward (shipping.carriers.base.furthest), whatever order events arrive in.
    status = models.CharField(max_length=24, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)  # the carrier's own page for this parcel
    # The lane a parcel's transit time is learnt per (with service_level): the sender's postcode area
    origin_area = models.CharField(max_length=10, blank=True)
    # A label bought through the aggregator: its id there, the label file's address and what it cost
    provider_shipment_id = models.CharField(max_length=80, blank=True)
    # The bought label's own id when it isn't the shipment's (Shippo's transaction object_id): what a
    # void names (shipping.voids)
    label_id = models.CharField(max_length=80, blank=True)
    label_url = models.URLField(max_length=500, blank=True)
    postage_minor = models.PositiveIntegerField(null=True, blank=True, help_text="In the shop's currency's minor unit")
    # A label bought (or being bought) through the aggregator for a parcel the shop is packing: true from
    # when the worker records it until the parcel leaves on it, or it is set aside (postage_buy). A state
    # entered again (a "running late" loop) keeps it, so its label is never bought twice.
    packing = models.BooleanField(default=False)
    # The poller asks the aggregator about a parcel no webhook speaks for when this is due
    next_poll_at = models.DateTimeField(null=True, blank=True)
    poll_failures = models.PositiveSmallIntegerField(default=0)
    # The watchdog's bound: no scan past this and the parcel is a person's task (lane p90 + margin)
    silent_after = models.DateTimeField(null=True, blank=True)
    watchdog_fired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["case", "leg"], name="shipment_case_leg"),
            models.Index(
                fields=["next_poll_at"], name="shipment_poll_due", condition=models.Q(next_poll_at__isnull=False)
            ),
            # A lane's newest finished parcels (lanes.lane_rows): only the lane's rows, newest first
            models.Index(fields=["carrier", "service_level", "origin_area", "id"], name="shipment_lane"),
            models.Index(
                fields=["silent_after"],
                name="shipment_watchdog_due",
                condition=models.Q(
                    silent_after__isnull=False, watchdog_fired_at__isnull=True, delivered_at__isnull=True
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_leg_display()} {self.tracking_number or '(no tracking yet)'}"


class TrackingEvent(models.Model):
    """One carrier event, kept as the carrier said it and as a canonical status. Append-only: a
    repeated delivery of the same event finds its ``dedupe_key`` taken and writes nothing."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="events")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    dedupe_key = models.CharField(max_length=160, unique=True)  # "<provider>:<the provider's event id>"
    status = models.CharField(max_length=24)  # canonical
    status_code = models.CharField(max_length=110, blank=True)  # the provider's own code
    description = models.TextField(blank=True)  # the carrier's words
    location = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    raw = models.JSONField(default=dict)  # the event as the provider sent it

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["shipment", "occurred_at"], name="tracking_event_shipment_at"),
            # The lane figures' look for news: the events received since their last look (lanes.news_rows)
            models.Index(fields=["received_at"], name="tracking_event_received"),
        ]

    def __str__(self) -> str:
        return f"{self.status} at {self.occurred_at:%Y-%m-%d %H:%M}"


class VoidStatus(models.TextChoices):
    ASKED = "asked", "void asked"
    SUBMITTED = "submitted", "void submitted, the carrier deciding"
    VOIDED = "voided", "voided: the postage comes back"
    REFUSED = "refused", "void refused"
    FAILED = "failed", "void not done: a task for the shipping team"


class LabelVoid(models.Model):
    """A label bought and not used, voided (refunded) through its aggregator by the worker
    (``shipping.voids``). One per parcel, so asking twice is asking once; what the aggregator said and
    the outcome are kept, and a refusal or the last failure is the shipping team's task."""

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="label_void")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_id = models.CharField(max_length=80)  # EasyPost's shipment id, Shippo's transaction object_id
    refund_id = models.CharField(max_length=80, blank=True)  # Shippo's Refund object_id, while it is pending
    tracking_number = models.CharField(max_length=60)  # the label's, kept here: the parcel's own is cleared
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=VoidStatus.choices, default=VoidStatus.ASKED)
    answer = models.CharField(max_length=300, blank=True)  # the aggregator's last word on it
    attempts = models.PositiveSmallIntegerField(default=0)  # failed calls in a row
    next_try_at = models.DateTimeField(null=True, blank=True)  # the worker's next call; none once done
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_try_at"], name="label_void_due", condition=models.Q(next_try_at__isnull=False))
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number}: {self.get_status_display()}"


class ServiceLevel(models.Model):
    """A way the shop sends parcels, offered at intake with its price and measured on-time share."""

    code = models.SlugField(max_length=40, unique=True, help_text="e.g. royal-mail-tracked-48")
    name = models.CharField(max_length=100, help_text="As the customer reads it, e.g. Royal Mail Tracked 48")
    provider = models.CharField(max_length=10, choices=Provider.choices, blank=True)
    carrier = models.CharField(max_length=60, help_text="As the aggregator names it, e.g. RoyalMail")
    service = models.CharField(max_length=60, help_text="The carrier's service as the aggregator names it")
    price_minor = models.PositiveIntegerField(default=0, help_text="What the customer pays, in the minor unit")
    promised_days = models.PositiveSmallIntegerField(default=2, help_text="Working days to deliver, as promised")
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "price_minor", "code"]

    def __str__(self) -> str:
        return self.name


class LaneFigure(models.Model):
    """What the shop's own deliveries say about one lane (carrier, service level, origin area): kept by
    the worker as parcels are delivered or lost, read by the watchdog, intake and insights."""

    carrier = models.CharField(max_length=60)
    service_level = models.CharField(max_length=60)
    origin_area = models.CharField(max_length=10)
    deliveries = models.PositiveIntegerField(default=0)
    p50_hours = models.FloatField(null=True, blank=True)
    p90_hours = models.FloatField(null=True, blank=True)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["carrier", "service_level", "origin_area"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "service_level", "origin_area"], name="lane_figure_unique")
        ]
        # The worker's lane job asks for the newest figure each pass (lanes.lane_figures_work)
        indexes = [models.Index(fields=["updated_at"], name="lane_figure_updated")]

    def __str__(self) -> str:
        return f"{self.carrier} {self.service_level} from {self.origin_area or 'anywhere'}"
