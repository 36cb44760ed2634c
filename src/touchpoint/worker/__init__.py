"""The worker: fires due timers and sends due outbox messages, relentlessly, under leases."""
