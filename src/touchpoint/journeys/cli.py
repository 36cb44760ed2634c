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
module also runs alone: ``python -m touchpoint.journeys.cli check mail-in-repair``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from touchpoint.journeys.checker import SilenceBound, check, silence_bound
from touchpoint.journeys.diagnostics import Diagnostic, JourneyLoadError, Location, Severity
from touchpoint.journeys.durations import format_duration
from touchpoint.journeys.library import library_file, library_files
from touchpoint.journeys.loader import LoadedJourney, load_journey
from touchpoint.journeys.model import Journey
from touchpoint.journeys.paths import enumerate_paths, paths_json, paths_lines, paths_mermaid_lines
from touchpoint.journeys.render.layout import MAX_LAYOUT_NODES, TooLargeToDraw, layout_size
from touchpoint.journeys.render.page import render_html
from touchpoint.journeys.render.svg import render_svg
from touchpoint.journeys.simulate import simulate

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2

SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "urn:touchpoint:schema:journey"
MAX_RUNS = 10_000_000


class _UsageError(Exception):
    """A command line that can't be acted on (argparse's exit, turned into a return value)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that returns instead of calling ``sys.exit`` (``main`` must return its code)."""

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            sys.stderr.write(message)
        raise _UsageError(status)

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise _UsageError(EXIT_UNREADABLE)


def _positive(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"give a number from 1 to {limit:,}")
        return value

    return parse


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None


def build_parser() -> argparse.ArgumentParser:
    shipped = ", ".join(p.stem for p in library_files())
    epilog = (
        f"FILE is a journey's .yaml file, or the bare name of a shipped journey ({shipped}). "
        "Exit codes: 0 done and clean, 1 findings, 2 a file can't be read or parsed. "
        "Reference: docs/journeys.md."
    )
    parser = _Parser(
        prog="touchpoint journey",
        description="Check, lay out, draw and simulate journey files.",
        # wrapped here so journey names never break at their hyphens
        epilog=textwrap.fill(epilog, width=78, break_on_hyphens=False),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    check = commands.add_parser(
        "check",
        help="check journeys against every rule",
        description=(
            "Check journeys against every rule (docs/journey-rules.md) and report each finding: the routes, "
            "owners, timers and messages (J101-J213), and the case data and events (J220-J227: guards read "
            "declared fields that every route has set; every event has someone to record it, and a label)."
        ),
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")

    paths = commands.add_parser(
        "paths",
        help="list every route from the start to an end",
        description=(
            "List every route from the start to an end, with its touch points and worst-case duration, "
            "up to --max-paths routes and --max-steps steps of work; the last line says when that is not all."
        ),
    )
    paths.add_argument("files", nargs="+", metavar="FILE")
    paths.add_argument("--format", choices=("text", "json", "mermaid"), default="text")
    paths.add_argument("--max-paths", type=_positive(10_000_000), default=5000, help="list at most this many routes")
    paths.add_argument(
        "--max-steps",
        type=_positive(1_000_000_000),
        default=200_000,
        help="stop after this much work: each move the search tries, and each move of a route it lists, is a step",
    )

    render = commands.add_parser(
        "render",
        help="draw the journey as SVG or HTML",
        description=(
            "Draw the journey graph. With --out, writes PATH (.svg or .html, by its extension); "
            "without it, prints the picture to stdout in --format (svg by default)."
        ),
    )
    render.add_argument("file", metavar="FILE")
    render.add_argument("--out", metavar="PATH", help="write here: a .svg or .html file")
    render.add_argument("--format", choices=("svg", "html"), default=None, help="for stdout (default svg)")

    simulate = commands.add_parser(
        "simulate",
        help="run many simulated cases and report durations, touches, outcomes and silence",
        description="Run N simulated cases with a seed (the same seed gives the same report).",
    )
    simulate.add_argument("file", metavar="FILE")
    simulate.add_argument("--runs", type=_positive(MAX_RUNS), default=10_000)
    simulate.add_argument("--seed", type=_seed, default=0)
    simulate.add_argument("--format", choices=("text", "json"), default="text")

    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of journey files",
        description="Print the JSON Schema for journey files (for editor completion), or write it to PATH.",
    )
    schema.add_argument("--out", metavar="PATH", help="write the schema here instead of stdout")
    return parser


# --- loading ---------------------------------------------------------------------------------


def _is_bare_name(argument: str) -> bool:
    return not any(sep in argument for sep in ("/", os.sep)) and Path(argument).suffix not in (".yaml", ".yml")


def resolve(argument: str) -> Path:
    """A path as given, or the shipped journey a bare name (``mail-in-repair``) stands for."""
    path = Path(argument)
    if path.exists() or not _is_bare_name(argument):
        return path
    shipped = library_file(argument)
    return shipped if shipped is not None else path


def _load(argument: str) -> LoadedJourney:
    path = resolve(argument)
    if not path.exists() and _is_bare_name(argument):
        names = ", ".join(p.stem for p in library_files())
        raise JourneyLoadError(
            [
                Diagnostic(
                    "L000",
                    "unreadable",
                    Severity.ERROR,
                    "no such file, and no shipped journey by that name",
                    f"check the path, or name a shipped journey: {names}",
                    Location(argument),
                )
            ]
        )
    return load_journey(path)


def _report_load_error(error: JourneyLoadError) -> None:
    for diagnostic in error.diagnostics:
        sys.stderr.write(diagnostic.format() + "\n")


@dataclass(frozen=True)
class _Loaded:
    argument: str
    loaded: LoadedJourney | None
    error: JourneyLoadError | None


def _load_all(arguments: Sequence[str]) -> Iterator[_Loaded]:
    for argument in arguments:
        try:
            yield _Loaded(argument, _load(argument), None)
        except JourneyLoadError as error:
            yield _Loaded(argument, None, error)


# --- check -----------------------------------------------------------------------------------


def _silence_summary(journey: Journey, bound: SilenceBound) -> tuple[str, dict[str, Any]]:
    allowed = format_duration(journey.max_silence)
    if bound.worst_seconds is None:
        text = f"worst silence unbounded, {allowed} allowed"
    else:
        text = f"worst silence {format_duration(bound.worst_seconds)} of {allowed} allowed"
    data = {
        "worst_seconds": bound.worst_seconds,
        "worst": None if bound.worst_seconds is None else format_duration(bound.worst_seconds),
        "max_seconds": journey.max_silence,
        "max": allowed,
        "path": list(bound.path),
        "unbounded_reason": bound.unbounded_reason,
    }
    return text, data


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _cmd_check(args: argparse.Namespace) -> int:
    code = EXIT_OK
    results: list[dict[str, Any]] = []
    for item in _load_all(args.files):
        if item.loaded is None:
            assert item.error is not None
            _report_load_error(item.error)
            code = max(code, EXIT_UNREADABLE)
            results.append(
                {
                    "file": item.argument,
                    "journey": None,
                    "status": "unreadable",
                    "errors": len(item.error.diagnostics),
                    "warnings": 0,
                    "diagnostics": [d.as_dict() for d in item.error.diagnostics],
                }
            )
            continue
        journey = item.loaded.journey
        found = list(check(item.loaded))
        for extra in args.extra_checks:
            found.extend(extra(item.loaded))
        findings = sorted(found, key=lambda d: (d.location, d.code))
        errors = sum(d.severity == Severity.ERROR for d in findings)
        warnings = len(findings) - errors
        silence_text, silence_data = _silence_summary(journey, silence_bound(journey))
        size = f"{_count(len(journey.states), 'state')}, {_count(len(journey.transitions), 'transition')}"
        failed = errors > 0 or (args.strict and warnings > 0)
        if failed:
            code = max(code, EXIT_FINDINGS)
        if args.format == "text":
            for diagnostic in findings:
                sys.stdout.write(diagnostic.format() + "\n")
            verdict = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}" if findings else "clean"
            sys.stdout.write(f"{journey.key}: {verdict} ({size}, {silence_text})\n")
        results.append(
            {
                "file": str(item.loaded.source.file),
                "journey": journey.key,
                "status": "failed" if failed else ("warnings" if findings else "clean"),
                "states": len(journey.states),
                "transitions": len(journey.transitions),
                "errors": errors,
                "warnings": warnings,
                "silence": silence_data,
                "diagnostics": [d.as_dict() for d in findings],
            }
        )
    if args.format == "json":
        _write_json({"exit_code": code, "strict": args.strict, "files": results})
    return code


# --- paths -----------------------------------------------------------------------------------


def _cmd_paths(args: argparse.Namespace) -> int:
    code = EXIT_OK
    out: list[dict[str, Any]] = []
    first = True
    for item in _load_all(args.files):
        if item.loaded is None:
            assert item.error is not None
            _report_load_error(item.error)
            code = EXIT_UNREADABLE
            continue
        journey = item.loaded.journey
        with _progress(f"laying out the routes of {journey.key}", sys.stderr):
            layout = enumerate_paths(journey, max_paths=args.max_paths, max_steps=args.max_steps)
        if args.format == "json":
            out.append({"file": str(item.loaded.source.file), **paths_json(journey, layout)})
            continue
        if not first:
            sys.stdout.write("\n")
        first = False
        # written line by line as it is laid out: nothing the size of the whole output is held
        if args.format == "mermaid":
            sys.stdout.write(f"%% {journey.key} ({item.loaded.source.file})\n")
            sys.stdout.writelines(line + "\n" for line in paths_mermaid_lines(journey, layout))
        else:
            sys.stdout.writelines(paths_lines(journey, layout))
    if args.format == "json":
        _write_json({"exit_code": code, "files": out})
    return code


# --- render ----------------------------------------------------------------------------------


def _cmd_render(args: argparse.Namespace) -> int:
    kind = args.format
    if args.out is not None:
        suffix = Path(args.out).suffix.lower()
        by_suffix = {".svg": "svg", ".html": "html", ".htm": "html"}
        if suffix not in by_suffix:
            sys.stderr.write(f"{args.out}: can't tell what to write — end the name in .svg or .html\n")
            return EXIT_UNREADABLE
        if kind is not None and kind != by_suffix[suffix]:
            sys.stderr.write(f"{args.out}: --format {kind} doesn't match the file's extension {suffix}\n")
            return EXIT_UNREADABLE
        kind = by_suffix[suffix]
    try:
        loaded = _load(args.file)
    except JourneyLoadError as error:
        _report_load_error(error)
        return EXIT_UNREADABLE
    size = layout_size(loaded.journey)
    if size > MAX_LAYOUT_NODES:  # said before any work: laying it out would take minutes and gigabytes
        name = loaded.source.file
        sys.stderr.write(
            f"{name}: can't draw {loaded.journey.key}: {TooLargeToDraw(loaded.journey, size)} — draw a smaller "
            f"journey, or list its moves with `touchpoint journey paths {name} --format mermaid`\n"
        )
        return EXIT_UNREADABLE
    picture = render_html(loaded.journey) if kind == "html" else render_svg(loaded.journey)
    if args.out is None:
        sys.stdout.write(picture if picture.endswith("\n") else picture + "\n")
        return EXIT_OK
    if not _write_file(args.out, picture):
        return EXIT_UNREADABLE
    sys.stderr.write(f"{loaded.journey.key}: wrote {args.out}\n")
    return EXIT_OK


# --- simulate --------------------------------------------------------------------------------


@contextmanager
def _progress(label: str, stream: IO[str]) -> Iterator[None]:
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


def _cmd_simulate(args: argparse.Namespace) -> int:
    try:
        loaded = _load(args.file)
    except JourneyLoadError as error:
        _report_load_error(error)
        return EXIT_UNREADABLE
    journey = loaded.journey
    with _progress(f"simulating {args.runs:,} cases of {journey.key}", sys.stderr):
        report = simulate(journey, runs=args.runs, seed=args.seed)
    if args.format == "json":
        _write_json(report.as_dict())
    else:
        sys.stdout.write(report.to_text())
    return EXIT_OK


# --- schema ----------------------------------------------------------------------------------


def journey_schema() -> dict[str, Any]:
    """The JSON Schema of journey files, as shipped in ``schema/journey.schema.json``: the model's
    own, nothing patched (the model says which fields take one value or a list), with its draft and id."""
    return {"$schema": SCHEMA_DRAFT, "$id": SCHEMA_ID, **Journey.model_json_schema()}


def schema_text() -> str:
    return json.dumps(journey_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_path() -> Path:
    return Path(__file__).resolve().parent / "schema" / "journey.schema.json"


def _cmd_schema(args: argparse.Namespace) -> int:
    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
        return EXIT_OK
    return EXIT_OK if _write_file(args.out, text) else EXIT_UNREADABLE


# --- plumbing --------------------------------------------------------------------------------


def _write_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _write_file(target: str, text: str) -> bool:
    try:
        Path(target).write_text(text, encoding="utf-8")
    except OSError as exc:
        sys.stderr.write(
            f"{target}: can't write it ({exc.strerror or exc}) — check the folder exists and is writable\n"
        )
        return False
    return True


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": _cmd_check,
    "paths": _cmd_paths,
    "render": _cmd_render,
    "simulate": _cmd_simulate,
    "schema": _cmd_schema,
}


ExtraCheck = Callable[[LoadedJourney], list[Diagnostic]]


def main(argv: list[str] | None = None, *, extra_checks: Sequence[ExtraCheck] = ()) -> int:
    """Run ``touchpoint journey`` with ``argv`` (without the program name); return the exit code.

    ``extra_checks`` run after the journey rules in ``check``, each reporting more findings about a
    loaded journey (the top-level ``touchpoint`` command passes the touch point template check, which
    needs Django's template engine; this module stays framework-free)."""
    try:
        args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    except _UsageError as usage:
        return usage.code
    args.extra_checks = list(extra_checks)
    try:
        return _COMMANDS[args.command](args)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); nothing more to say to it.
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("TOUCHPOINT_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error in `journey {args.command}`: {type(exc).__name__}: {exc} — "
            "this is a bug; run again with TOUCHPOINT_DEBUG=1 for the traceback and report it\n"
        )
        return EXIT_UNREADABLE


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
