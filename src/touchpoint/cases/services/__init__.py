"""Services write the case's own records: its timeline, tasks, handoffs, notes and assignment. Each
is keyword-only, typed, and opens its own transaction at its boundary.

What moves a case through its journey (``case_open``, ``case_advance``, a timer firing) writes the
records of other apps too (messages, refunds), so it lives above them in :mod:`touchpoint.flows`."""
