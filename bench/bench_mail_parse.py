"""Inbound mail parsing on shapes that once made a step quadratic, beside a plain message of the same
size parsed in the same run (the linear ceiling). Printed, not asserted.

    python bench/bench_mail_parse.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "touchpoint.settings")

import django

django.setup()

from touchpoint.mail.parse import parse_message  # noqa: E402

SHAPES = {
    "nested divs": b"From: a@example.com\r\nContent-Type: text/html\r\n\r\n" + b"<div>" * 100_000,
    "deep quotes": b"From: a@example.com\r\n\r\n" + (b"> " * 5000 + b"x\n") * 200,
    "many parts": b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
    + b"--x\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=a.png\r\n\r\nhi\r\n" * 1500
    + b"--x--\r\n",
    "deep multipart": b"From: a@example.com\r\n"
    + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(500))
    + b"Content-Type: text/plain\r\n\r\nhi\r\n",
}


def best_of(raw: bytes, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        parse_message(raw)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    print(f"{'shape':<16} {'size':>9} {'parse':>9} {'plain, same size':>17} {'ratio':>6}")
    for name, raw in SHAPES.items():
        plain = b"From: a@example.com\r\n\r\n" + (b"Just words in a line of plain text.\n" * (len(raw) // 36 + 1))
        took, ceiling = best_of(raw), best_of(plain)
        print(f"{name:<16} {len(raw):>9,} {took * 1000:>7.1f}ms {ceiling * 1000:>15.1f}ms {took / ceiling:>5.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
