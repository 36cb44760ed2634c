"""Reads about cases, one module per question (queues, customer context, ETA…)."""
