"""The carrier's name as staff type it at the scan station, in each aggregator's own words (framework-free).

A typed tracking number is registered with the shop's aggregator (``shipping.trackers``), which needs
to be told whose number it is: AfterShip by its courier ``slug``, EasyPost by its ``carrier`` string,
Shippo by its carrier token. Each column follows that provider's published list:

- AfterShip: the courier slugs of "Supported couriers" (https://www.aftership.com/couriers,
  also ``GET /couriers``), e.g. ``royal-mail``;
- EasyPost: the carrier names its Tracker takes (https://docs.easypost.com/docs/trackers, the
  carrier guides, e.g. https://docs.easypost.com/carriers/royal-mail-guide), e.g. ``RoyalMail``;
- Shippo: the tokens of "Tracking carriers" (https://docs.goshippo.com/docs/tracking/trackingcarriers),
  e.g. ``royal_mail``, ``dpd_uk``, ``hermes_uk`` (Evri).

Checked against the published lists (December 2026):

- AfterShip ``parcel-force``: its Parcelforce tracking page gives the slug as "static parcel-force"
  (https://www.aftership.com/tracking-api/parcel-force); ``dpd-uk``: "the courier slug for DPD UK is
  dpd-uk" (https://help.aftership.com/hc/en-us/articles/115009038647); ``royal-mail``, ``dhl``, ``ups``,
  ``fedex``, ``usps``: AfterShip's courier list (``GET /couriers``). Evri: that list has two slugs for
  what Evri now is, ``hermes`` ("Hermesworld", also "Hermes-europe UK": the business service a shop
  sends with) and ``myhermes-uk`` ("myHermes UK", the consumer service), both in its ``hermes-group``
  (https://www.aftership.com/docs/tracking/2025-01/enum/slug-groups). Not verified which AfterShip names
  Evri today; ``hermes`` is kept (a refusal is a task saying so, never a silent miss).
- Shippo: ``royal_mail`` ("Royal Mail Intersoft"), ``dpd_uk``, ``hermes_uk`` ("Evri UK"), ``dhl_express``,
  ``fedex`` as its Tracking Carriers page lists them. Parcelforce isn't in the part of that list seen,
  so none is given.
- EasyPost: ``RoyalMail`` (its Royal Mail guide). Not verified: ``DPDUK`` (EasyPost documents DPD UK,
  https://docs.easypost.com/carriers/dpduk-guide, and a ``DpdUkAccount``, but its tracker's carrier
  string wasn't found published), nor a Parcelforce carrier string (a ``ParcelForceAccount`` exists), so
  Parcelforce stays AfterShip only.

Small on purpose: the carriers a UK repair shop posts with. A name not here, or one an aggregator
doesn't track, is never guessed: the parcel goes on as today and a person is asked (a task)."""

from __future__ import annotations

# The carrier, by its name compacted (:func:`carrier_key`), in each aggregator's words.
SLUGS: dict[str, dict[str, str]] = {
    "royalmail": {"aftership": "royal-mail", "easypost": "RoyalMail", "shippo": "royal_mail"},
    "parcelforce": {"aftership": "parcel-force"},
    "dpd": {"aftership": "dpd-uk", "easypost": "DPDUK", "shippo": "dpd_uk"},
    "evri": {"aftership": "hermes", "shippo": "hermes_uk"},
    "dhlexpress": {"aftership": "dhl", "easypost": "DHLExpress", "shippo": "dhl_express"},
    "ups": {"aftership": "ups", "easypost": "UPS", "shippo": "ups"},
    "fedex": {"aftership": "fedex", "easypost": "FedEx", "shippo": "fedex"},
    "usps": {"aftership": "usps", "easypost": "USPS", "shippo": "usps"},
}

# Each carrier as people read its name: the choices a customer picks from on their case page.
NAMES: dict[str, str] = {
    "royalmail": "Royal Mail",
    "parcelforce": "Parcelforce",
    "dpd": "DPD",
    "evri": "Evri",
    "dhlexpress": "DHL Express",
    "ups": "UPS",
    "fedex": "FedEx",
    "usps": "USPS",
}

# Other ways staff write the same carrier (compacted), and the aggregators' own names read back.
ALIASES: dict[str, str] = {
    "rm": "royalmail",
    "royalmailtracked": "royalmail",
    "royalmailtracked24": "royalmail",
    "royalmailtracked48": "royalmail",
    "dpduk": "dpd",
    "hermes": "evri",
    "hermesuk": "evri",
    "evriuk": "evri",
    "dhl": "dhlexpress",
    "federalexpress": "fedex",
}


def carrier_key(typed: str) -> str:
    """``typed`` compacted: lower case, letters and digits only ("Royal Mail" → "royalmail")."""
    return "".join(c for c in typed.lower() if c.isalnum())


def carrier_known(typed: str) -> str | None:
    """The table's key for the carrier ``typed`` names, or None when the table doesn't know it. The
    aggregators' own names for a carrier (``RoyalMail``, ``royal_mail``, ``royal-mail``) read as it too."""
    key = carrier_key(typed)
    if key in SLUGS:
        return key
    if key in ALIASES:
        return ALIASES[key]
    for known, names in SLUGS.items():
        if key in {carrier_key(name) for name in names.values()}:
            return known
    return None


def carrier_slug(provider: str, typed: str) -> str | None:
    """What ``provider`` calls the carrier ``typed`` names, or None when it isn't known (to the table,
    or to that aggregator)."""
    known = carrier_known(typed)
    return SLUGS[known].get(provider) if known is not None else None
