"""Customers' photos on the case page, the files outgoing messages carry, and the shop's address
printed on the prepaid label."""

from __future__ import annotations

from touchpoint.settings.env import env_int, env_list, env_str

# Photos a customer attaches to a message on their case page: checked by content (Pillow), never
# by name; re-encoded so no EXIF (GPS!) survives; kept under MEDIA_ROOT with random names and
# served only through the customer's link or to staff.
TOUCHPOINT_PHOTO_MAX_BYTES = env_int("TOUCHPOINT_PHOTO_MAX_BYTES", 8 * 1024 * 1024)  # each
TOUCHPOINT_PHOTOS_PER_MESSAGE = env_int("TOUCHPOINT_PHOTOS_PER_MESSAGE", 5)
TOUCHPOINT_PHOTO_MAX_PIXELS = env_int("TOUCHPOINT_PHOTO_MAX_PIXELS", 40_000_000)  # a decompression bomb is refused
TOUCHPOINT_PORTAL_MESSAGE_MAX_CHARS = env_int("TOUCHPOINT_PORTAL_MESSAGE_MAX_CHARS", 5000)
# Public forms: this many sends per client address per window (seconds).
TOUCHPOINT_PORTAL_MESSAGE_RATE = env_int("TOUCHPOINT_PORTAL_MESSAGE_RATE", 10)
TOUCHPOINT_PORTAL_PERSON_RATE = env_int("TOUCHPOINT_PORTAL_PERSON_RATE", 5)
TOUCHPOINT_PORTAL_RATE_WINDOW = env_int("TOUCHPOINT_PORTAL_RATE_WINDOW", 600)
# The promise made when a customer asks for a person: someone is in touch within this (seconds).
TOUCHPOINT_PERSON_WAIT = env_int("TOUCHPOINT_PERSON_WAIT", 4 * 3600)

# Files an outgoing touch point carries: touch point key → attachment kinds; each kind is made at
# send time by the function named in TOUCHPOINT_ATTACHMENT_MAKERS (message → filename, bytes, type).
TOUCHPOINT_TOUCHPOINT_ATTACHMENTS: dict[str, list[str]] = {
    "box_on_its_way": ["box_label"],
    "new_box_on_its_way": ["box_label"],
    "send_in_own_packaging": ["box_label"],
}
# box_label: the label bought through the aggregator when one buys labels, else the shop's own (labels.py)
TOUCHPOINT_ATTACHMENT_MAKERS: dict[str, str] = {"box_label": "touchpoint.shipping.postage_buy.box_label_attachment"}

# Where prepaid parcels go: the shop's postal address, one line per comma (up to six fit on the label).
TOUCHPOINT_SHOP_ADDRESS = env_list(
    "TOUCHPOINT_SHOP_ADDRESS", ["Repairs Dept.", "12 Workshop Lane", "Bristol", "BS1 4QT", "United Kingdom"]
)
TOUCHPOINT_LABEL_SERVICE = env_str("TOUCHPOINT_LABEL_SERVICE", "Tracked 24 · Postage paid by the shop")
