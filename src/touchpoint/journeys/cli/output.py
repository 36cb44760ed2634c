"""What the commands say, and how: the exit codes, load errors on stderr, JSON and files written,
and a ticking progress line while long work runs."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from touchpoint.journeys.diagnostics import JourneyLoadError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2


def report_load_error(error: JourneyLoadError) -> None:
    for diagnostic in error.diagnostics:
        sys.stderr.write(diagnostic.format() + "\n")


@contextmanager
def progress(label: str, stream: IO[str]) -> Iterator[None]:
    """A ticking line on stderr while long work runs, only when a person is watching it."""
    if not stream.isatty():
        yield
        return
    done = threading.Event()
    started = time.monotonic()

    def tick() -> None:
        frames = "|/-\\"
        n = 0
        while not done.wait(0.25):
            stream.write(f"\r{frames[n % 4]} {label} {time.monotonic() - started:.0f}s ")
            stream.flush()
            n += 1

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join()
        stream.write("\r\x1b[K")  # clear the line
        stream.flush()


def write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_file(target: str, text: str) -> bool:
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(
            f"{target}: can't write it ({exc.strerror or exc}) — check the folder exists and is writable\n"
        )
        return False
    return True
