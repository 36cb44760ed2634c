"""Services write. Each is keyword-only, typed, and opens its own transaction at its boundary.

Import from the submodules (``advance``, ``handoffs``, ``tasks``, ``timers``, ``timeline``): the
outbox and the cases call each other, and eager imports here would make that a cycle."""
