"""Staff sign-in: the console's own login page, lockout after repeated failures (django-axes),
and how long a staff session lasts when idle and at most."""

from __future__ import annotations

from datetime import timedelta

from touchpoint.settings.env import env_int, env_str

LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:queue"

# Axes first: it refuses a locked-out username+address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("TOUCHPOINT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("TOUCHPOINT_LOGIN_LOCK_MINUTES", 15))
# Per username *and* address: a stranger guessing can't lock a colleague out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address, behind the shop's proxies too (TOUCHPOINT_TRUSTED_PROXIES): keyed on the
# proxy's, one stranger would lock everyone out of a username.
AXES_CLIENT_IP_CALLABLE = "touchpoint.core.clients.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "touchpoint.console.views.auth.locked_out"
AXES_VERBOSE = False

TOUCHPOINT_SESSION_IDLE_MINUTES = env_int("TOUCHPOINT_SESSION_IDLE_MINUTES", 30)
# The queue page polls; it counts as activity at most this often (seconds), so polling is not a write each time.
TOUCHPOINT_SESSION_TOUCH_SECONDS = 60
TOUCHPOINT_AT_RISK_HOURS = env_int("TOUCHPOINT_AT_RISK_HOURS", 4)
TOUCHPOINT_QUEUE_POLL_SECONDS = env_int("TOUCHPOINT_QUEUE_POLL_SECONDS", 15)  # the queue's live refresh

# Two-factor sign-in (django-otp): required for leads, admins, superusers and the Django admin; offered
# to agents. The authenticator app shows the shop's name beside the code.
OTP_TOTP_ISSUER = env_str("TOUCHPOINT_SHOP_NAME", "The Repair Shop")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret
TOUCHPOINT_TWO_FACTOR_CODE_URL = "console:sign_in_code"
TOUCHPOINT_TWO_FACTOR_SETUP_URL = "console:two_factor"
TOUCHPOINT_RECOVERY_CODES = 10
