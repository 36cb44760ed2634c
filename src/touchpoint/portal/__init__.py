"""The customer's web layer: intake, payment, tracking, approvals, messages and feedback.

Thin views over domain services."""
