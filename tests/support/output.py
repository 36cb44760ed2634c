"""A child process's output, read as it is written (so a test can wait for a line, and a full pipe
never blocks the child)."""

from __future__ import annotations

import json
import threading
from typing import IO, Any


class Output:
    def __init__(self, stream: IO[str] | None) -> None:
        assert stream is not None, "start the process with stdout/stderr=subprocess.PIPE"
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)

    def events(self, name: str) -> list[dict[str, Any]]:
        """The JSON log lines (``TOUCHPOINT_LOG_FORMAT=json``) whose event is ``name``."""
        found = []
        for line in list(self.lines):
            if line.startswith("{"):
                event = json.loads(line)
                if event.get("event") == name:
                    found.append(event)
        return found

    def close(self) -> str:
        """Everything, once the process has exited and its stream ended."""
        self._reader.join(timeout=30)
        return self.text()
