"""The catalog as CSV: export, and an import checked row by row into a plan that a lead confirms.

Each row goes through the same form as the console's add and edit pages, so a file can't store what
the pages would refuse. Nothing is written until the plan is confirmed; the confirmation carries the
file again and the plan's digest, and a catalog changed in between is shown again, not applied."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from touchpoint.console.views.shop_forms import FORMS
from touchpoint.shop.services import CATALOG, as_text

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
FORMULA_START = ("=", "+", "@")  # a spreadsheet would run a cell starting so: written with a ' before it


@dataclass
class Plan:
    kind: str
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[tuple[str, list[tuple[str, str, str]]]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # every valid row, to apply

    @property
    def digest(self) -> str:
        said = repr((self.kind, [sorted(a.items()) for a in self.added], self.changed))
        return hashlib.sha256(said.encode()).hexdigest()

    @property
    def anything(self) -> bool:
        return bool(self.added or self.changed)


def columns(kind: str) -> tuple[str, ...]:
    return CATALOG[kind][1]


def _cell(value: object) -> str:
    text = as_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def catalog_csv(kind: str) -> str:
    """Every item of ``kind`` (retired ones too) with the import's columns."""
    model, fields, _ = CATALOG[kind]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for item in model.objects.order_by("slug").values_list(*fields):
        writer.writerow([_cell(v) for v in item])
    return out.getvalue()


def csv_text(data: bytes, *, size: int) -> tuple[str, str | None]:
    """The uploaded bytes (``size`` in all) as text, or a sentence saying why they can't be read."""
    if max(size, len(data)) > MAX_BYTES:
        return (
            "",
            f"The file is {max(size, len(data)) / 1024:.0f} KB; an import can be up to {MAX_BYTES // 1024} KB. "
            "Split it.",
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return "", "The file isn't UTF-8 text: save it from your spreadsheet as “CSV UTF-8” and try again."


def _typed(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def catalog_plan(kind: str, text: str) -> Plan:
    """What importing ``text`` (CSV with :func:`columns`) would add and change, and every line's errors."""
    plan = Plan(kind=kind)
    model, fields, _ = CATALOG[kind]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        plan.errors.append(f"Line 1: the file can't be read as CSV ({exc}).")
        return plan
    missing = [f for f in fields if f not in header]
    extra = [h for h in header if h not in fields]
    if not header or missing or extra:
        said = ", ".join(fields)
        plan.errors.append(
            f"Line 1 must name the columns {said}"
            + (f" (missing: {', '.join(missing)})" if missing and header else "")
            + (f" (not ours: {', '.join(extra)})" if extra else "")
            + ". Export the catalog to get a file with them."
        )
        return plan
    seen: dict[str, int] = {}
    parsed: list[tuple[int, dict[str, Any]]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(parsed) + len(plan.errors) >= MAX_ROWS:
                plan.errors.append(f"Line {line}: an import can hold up to {MAX_ROWS} rows. Split the file.")
                break
            row = _row_check(kind, line, dict(zip(header, record, strict=False)), len(record), len(header), plan)
            if row is None:
                continue
            slug = row["slug"]
            if slug in seen:
                plan.errors.append(f"Line {line}: {slug} is already on line {seen[slug]}. Keep one of them.")
                continue
            seen[slug] = line
            parsed.append((line, row))
    except csv.Error as exc:
        plan.errors.append(f"Line {reader.line_num}: the file can't be read as CSV ({exc}).")
    existing = {item.slug: item for item in model.objects.filter(slug__in=list(seen))}
    for _, row in parsed:
        plan.rows.append(row)
        item = existing.get(row["slug"])
        if item is None:
            plan.added.append(row)
            continue
        diff = [(f, as_text(getattr(item, f)), as_text(v)) for f, v in row.items() if getattr(item, f) != v]
        if diff:
            plan.changed.append((row["slug"], diff))
        else:
            plan.unchanged += 1
    return plan


def _row_check(
    kind: str, line: int, cells: dict[str, str], width: int, expected: int, plan: Plan
) -> dict[str, Any] | None:
    if width != expected:
        plan.errors.append(f"Line {line}: it has {width} cells, the header {expected}. Check for a stray comma.")
        return None
    data = {name: _typed(value) for name, value in cells.items()}
    active = data.get("active", "").lower()
    problems: list[str] = []
    if active not in ("yes", "no"):
        problems.append(f"active: write yes or no (not “{data.get('active', '')}”)")
    data["active"] = "on" if active == "yes" else ""
    form = FORMS[kind](data)
    if not form.is_valid() or problems:
        who = f" ({data['slug']})" if data.get("slug") else ""
        problems += [f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()]
        plan.errors.append(f"Line {line}{who}: " + "; ".join(problems))
        return None
    return dict(form.cleaned_data)
