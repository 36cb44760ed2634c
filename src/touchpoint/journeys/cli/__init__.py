"""``touchpoint journey check|paths|render|simulate|schema``: the journey tools on the command line.

Exit codes, the same for every command:

* 0 — done, and (for ``check``) no errors; warnings alone pass unless ``--strict``;
* 1 — ``check`` found errors (or warnings, with ``--strict``);
* 2 — a file couldn't be read or parsed, the command line was wrong, or (``render``) the journey
  is too large to draw. Load errors go to stderr, one per line, as
  ``file:line:column: what is wrong — how to fix it``.

Whatever a file holds (a folder, a missing file, binary data), the answer is a message and an
exit code, never a traceback. Set ``TOUCHPOINT_DEBUG=1`` to see the traceback of an internal error.

A bare name such as ``mail-in-repair`` (no folder, no ``.yaml``) that isn't a file here names
the journey shipped in ``touchpoint/journeys/library``.

The top-level ``touchpoint`` command calls :func:`main` for ``touchpoint journey ...``; this
package also runs alone: ``python -m touchpoint.journeys.cli check mail-in-repair``.

The rooms: ``run`` (:func:`main`), ``parser`` (the command line), ``files`` (the journeys it
names), ``commands`` (one function per command), ``output`` (exit codes, JSON, files, progress)
and ``schema`` (the JSON Schema of journey files). This package's public surface is what it
exports here.
"""

from __future__ import annotations

from touchpoint.journeys.cli.output import EXIT_FINDINGS, EXIT_OK, EXIT_UNREADABLE
from touchpoint.journeys.cli.run import ExtraCheck, main

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_UNREADABLE", "ExtraCheck", "main"]
