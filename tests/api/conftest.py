from tests.payments.conftest import recorded_stripe

__all__ = ["recorded_stripe"]
