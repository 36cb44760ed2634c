"""Text messages: which provider carries them, its account, and the hours no text is sent.

See docs/sms.md. With no provider account configured a text fails permanently at its first try
(a person's task), never silently."""

from __future__ import annotations

from touchpoint.settings.env import env_bool, env_int, env_str

# Dotted path to the provider class (touchpoint.sms.providers.base.SmsProvider). Where the dev
# mailbox is on (the demo), texts are kept there beside the mail unless a provider is named.
TOUCHPOINT_SMS_PROVIDER = env_str(
    "TOUCHPOINT_SMS_PROVIDER",
    "touchpoint.devmail.sms.CaptureSmsProvider"
    if env_bool("TOUCHPOINT_DEV_MAILBOX", False)
    else "touchpoint.sms.providers.twilio.TwilioProvider",
)

# Twilio: Console > Account info. Texts go from the messaging service when one is given, else from the number.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")  # E.164, e.g. +447700900000
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "")
# Where the Twilio client sends its requests; empty: Twilio's own (https://api.twilio.com). Tests
# point it at a server on loopback.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", "").rstrip("/")
TWILIO_TIMEOUT = env_int("TWILIO_TIMEOUT", 15)  # seconds; well inside the worker's lease

# The country a number typed without + and a country code is read in where no country is given (the
# counter's walk-in form, the order-problem report): ISO 3166.
TOUCHPOINT_PHONE_COUNTRY = env_str("TOUCHPOINT_PHONE_COUNTRY", "GB")

# Quiet hours in the customer's time zone: a text that would arrive between these is held until
# the end (except what the customer just asked for). HH:MM, 24-hour.
TOUCHPOINT_SMS_QUIET_START = env_str("TOUCHPOINT_SMS_QUIET_START", "21:00")
TOUCHPOINT_SMS_QUIET_END = env_str("TOUCHPOINT_SMS_QUIET_END", "08:00")
