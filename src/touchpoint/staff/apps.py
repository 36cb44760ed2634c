from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "touchpoint.staff"
    label = "staff"
    verbose_name = "Staff"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from touchpoint.staff import two_factor
        from touchpoint.staff.sessions import on_login

        # Session bookkeeping, not a domain effect: every way of signing in starts the expiry clocks
        # and notes whether the new session owes a two-factor code.
        user_logged_in.connect(on_login, dispatch_uid="touchpoint.staff.sessions")
        user_logged_in.connect(two_factor.on_login, dispatch_uid="touchpoint.staff.two_factor")
