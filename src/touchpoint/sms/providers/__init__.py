"""Who carries a text: the interface (base.py) and Twilio (twilio.py). The one in use is chosen by
dotted path in ``TOUCHPOINT_SMS_PROVIDER`` (the dev mailbox's lives in :mod:`touchpoint.devmail.sms`)."""
