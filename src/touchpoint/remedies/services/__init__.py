"""Writes: the policy in force, remedies given, requests over the limit and their decisions."""
