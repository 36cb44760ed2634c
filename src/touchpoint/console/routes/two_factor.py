"""Two-factor sign-in: the code step after the password, one's own two-factor, a colleague's (leads)."""

from __future__ import annotations

from django.urls import URLPattern, path

from touchpoint.console.views import two_factor

urlpatterns: list[URLPattern] = [
    path("console/login/code/", two_factor.sign_in_code, name="sign_in_code"),
    path("console/two-factor/", two_factor.setup, name="two_factor"),
    path("console/two-factor/recovery-codes/", two_factor.recovery_codes, name="recovery_codes"),
    path("console/two-factor/new-phone/", two_factor.new_phone, name="two_factor_new_phone"),
    path("console/people/<str:username>/two-factor/", two_factor.member, name="two_factor_member"),
]
