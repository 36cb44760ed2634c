"""`make bench`: every benchmark in this folder, one after the other. Figures are printed, not asserted.

    python bench/run.py                      # the sizes the issues measured (long: builds 100,000 cases)
    BENCH_SIZE=small python bench/run.py     # every bench at a small size, a few minutes in all (CI)
    python bench/run.py console scale        # only the benches whose names contain these words

Each ``bench_*.py`` runs in its own process with the arguments below for its size (a bench not named
here runs with none) and ``BENCH_SIZE`` in its environment. The run fails only when a bench crashes:
what each prints is for people to read beside the ceiling it measured in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
SMALL = {
    "bench_console.py": ["--cases", "2000", "--seconds", "2"],
    "bench_engine.py": ["--transitions", "300"],
    "bench_smtp.py": ["--messages", "300"],
    "bench_portal.py": ["--cases", "2000", "--requests", "20"],
    "bench_scale.py": ["--small"],
    "bench_load.py": ["--small"],
    "bench_timers.py": ["--cases", "1000", "--per-case", "10", "--due", "1000"],
}
FULL = {
    "bench_load.py": ["--cases", "100000"],  # the build bench_scale.py keeps (1,000,000: --cases 1000000)
    "bench_scale.py": ["--sizes", "10000,100000"],  # 1,000,000 cases: `make bench-scale` (an hour to build)
}


def main(words: list[str]) -> int:
    size = os.environ.get("BENCH_SIZE", "full")
    if size not in ("small", "full"):
        print(f"BENCH_SIZE is small or full, not {size!r}")
        return 2
    chosen = [s for s in sorted(HERE.glob("bench_*.py")) if not words or any(w in s.stem for w in words)]
    results: list[tuple[str, float, int]] = []
    for script in chosen:
        arguments = (SMALL if size == "small" else FULL).get(script.name, [])
        print(f"\n== {script.name} {' '.join(arguments)} ==", flush=True)
        began = time.monotonic()
        code = subprocess.run(
            [sys.executable, str(script), *arguments], cwd=HERE.parent, env={**os.environ, "BENCH_SIZE": size}
        ).returncode
        results.append((script.name, time.monotonic() - began, code))
    print(f"\n== {len(results)} benchmarks ({size} size) ==")
    for name, seconds, code in results:
        print(f"{name:<24}{seconds:>7.0f} s   {'ran' if code == 0 else f'CRASHED (exit {code})'}")
    failed = [name for name, _, code in results if code != 0]
    if failed:
        print(f"these benchmarks could not run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
