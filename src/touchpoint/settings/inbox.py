"""Email in: where attachments are kept, the limits, the customer-message wait, the IMAP mailbox."""

from __future__ import annotations

from touchpoint.settings.base import VAR_DIR
from touchpoint.settings.env import env_bool, env_int, env_list, env_str

MEDIA_ROOT = VAR_DIR / "media"  # attachments of inbound mail (Django's default storage)
MEDIA_URL = "media/"

# How long a person has to answer a customer's message we can't act on (seconds; 4 hours).
TOUCHPOINT_CUSTOMER_MESSAGE_WAIT = env_int("TOUCHPOINT_CUSTOMER_MESSAGE_WAIT", 4 * 3600)
# A message whose VADER compound score is at or below this raises its task to priority 1.
TOUCHPOINT_NEGATIVE_SENTIMENT = float(env_str("TOUCHPOINT_NEGATIVE_SENTIMENT", "-0.3"))

TOUCHPOINT_INBOUND_MAX_BYTES = env_int("TOUCHPOINT_INBOUND_MAX_BYTES", 25 * 1024 * 1024)  # one raw message
TOUCHPOINT_ATTACHMENT_MAX_BYTES = env_int("TOUCHPOINT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)  # one file
# Comma-separated MIME types; empty means the parser's list (photos, PDF, plain text).
TOUCHPOINT_ATTACHMENT_TYPES = env_list("TOUCHPOINT_ATTACHMENT_TYPES", [])
# At most this many automated notices to one sender per hour: a safety net against mail loops.
TOUCHPOINT_NOTICE_CAP_PER_HOUR = env_int("TOUCHPOINT_NOTICE_CAP_PER_HOUR", 3)
# Addresses that are ours besides DEFAULT_FROM_EMAIL and anything @TOUCHPOINT_REPLY_DOMAIN: never answered.
TOUCHPOINT_OWN_ADDRESSES = env_list("TOUCHPOINT_OWN_ADDRESSES", [])

# `touchpoint mail_fetch` polls this mailbox. TLS by default; STARTTLS, or plain text on loopback only.
TOUCHPOINT_IMAP_HOST = env_str("TOUCHPOINT_IMAP_HOST", "")
TOUCHPOINT_IMAP_PORT = env_int("TOUCHPOINT_IMAP_PORT", 993)
TOUCHPOINT_IMAP_USER = env_str("TOUCHPOINT_IMAP_USER", "")
TOUCHPOINT_IMAP_PASSWORD = env_str("TOUCHPOINT_IMAP_PASSWORD", "")
TOUCHPOINT_IMAP_MAILBOX = env_str("TOUCHPOINT_IMAP_MAILBOX", "INBOX")
TOUCHPOINT_IMAP_SSL = env_bool("TOUCHPOINT_IMAP_SSL", True)
TOUCHPOINT_IMAP_STARTTLS = env_bool("TOUCHPOINT_IMAP_STARTTLS", False)
TOUCHPOINT_IMAP_PROCESSED_FOLDER = env_str("TOUCHPOINT_IMAP_PROCESSED_FOLDER", "")  # empty: leave them in place
TOUCHPOINT_IMAP_INTERVAL = env_int("TOUCHPOINT_IMAP_INTERVAL", 60)  # seconds between polls in loop mode

# Authserv-ids of the receiving relays the shop trusts (comma-separated; empty: none). A DMARC pass, or a
# DKIM pass aligned with the From domain, that such a relay records in Authentication-Results proves who
# sent a mail, so a yes/no by mail may act on it (docs/security.md, "Email actions need proof"). Each relay
# must strip incoming Authentication-Results that claim its id (RFC 8601 §5).
TOUCHPOINT_TRUSTED_AUTHSERV_IDS = [value.lower() for value in env_list("TOUCHPOINT_TRUSTED_AUTHSERV_IDS", [])]
