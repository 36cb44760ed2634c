"""What customers tell us after a case: CSAT 1–5, a comment and consent to publish."""
