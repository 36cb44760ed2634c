"""`touchpoint journey check` renders every touch point's templates with sample data, no database."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from touchpoint.cli import main as touchpoint_main
from touchpoint.journeys import load_journey
from touchpoint.journeys.library import library_file
from touchpoint.touchpoints.checks import template_check
from touchpoint.touchpoints.rendering import CONTEXT_NAMES, SHIPPED_DIR

MINI = Path(__file__).parents[1] / "support" / "mini-repair.yaml"
ALL_PARTS = "".join(
    f"{{% partialdef {tone}_{part} %}}{tone} {part} {{{{ case.reference }}}}"
    + (" {{ tracking_url }}" if part == "sms" else "")  # a text gives the case's link (T306)
    + "{% endpartialdef %}\n"
    for tone in ("playful", "sober")
    for part in ("subject", "text", "html", "sms")
)


@pytest.mark.parametrize("name", ["mail-in-repair", "order-problem", "walk-in-warranty"])
def test_every_shipped_journey_has_every_template_and_uses_only_defined_variables(name: str) -> None:
    path = library_file(name)
    assert path is not None
    assert template_check(load_journey(path), dirs=(str(SHIPPED_DIR),)) == []


def test_a_journey_without_templates_of_its_own_falls_back_to_the_generic_one_cleanly() -> None:
    assert template_check(load_journey(MINI), dirs=(str(SHIPPED_DIR),)) == []


def shop_templates(tmp_path: Path) -> Path:
    """A shop's folder for mini-repair: one complete file, one with faults, the rest missing."""
    folder = tmp_path / "touchpoints" / "mini-repair"
    folder.mkdir(parents=True)
    (folder / "send_device.html").write_text(ALL_PARTS)
    broken = ALL_PARTS.replace("{% partialdef sober_text %}sober text {{ case.reference }}{% endpartialdef %}\n", "")
    broken = broken.replace("playful text {{ case.reference }}", "playful text {{ customer.nickname }}")
    (folder / "arrived.html").write_text(broken)
    (folder / "arived.html").write_text(ALL_PARTS)  # a typo: no such touch point
    return folder


def test_a_missing_template_a_missing_partial_and_an_undefined_variable_are_findings(tmp_path: Path) -> None:
    folder = shop_templates(tmp_path)
    findings = template_check(load_journey(MINI), dirs=(str(tmp_path), str(SHIPPED_DIR)))
    arrived = str(folder / "arrived.html")
    formatted = sorted(d.format() for d in findings)
    assert [f for f in formatted if " T304 " not in f][:3] == [
        f"{arrived}: error T301 missing-template: touch point `arrived` has no sober words for the text: no "
        "`sober_text` partial and no tone-free `text` — add {% partialdef sober_text %}…{% endpartialdef %} "
        "(or {% partialdef text %} for words the same in both tones)",
        f"{arrived}:2:1: error T302 undefined-variable: `arrived` (playful text) uses `customer.nickname`, which "
        f"isn't defined — use one of: {CONTEXT_NAMES}",
        f"{folder / 'cancelled_unpaid.html'}: error T301 missing-template: touch point `cancelled_unpaid` has no "
        "template — write touchpoints/mini-repair/cancelled_unpaid.html (copy touchpoints/_generic.html to start)",
    ]
    # 12 touch points: send_device is complete, arrived has two faults, the other ten have no file
    assert sorted(d.code for d in findings) == ["T301"] * 11 + ["T302", "T304"]
    assert (
        f"{folder / 'arived.html'}: warning T304 unused-template: `arived` is not a touch point of mini-repair, "
        "so this template is never sent — rename it to a key under `touchpoints:` or delete it" in formatted
    )


def test_touchpoint_journey_check_reports_template_findings_from_the_shops_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shop_templates(tmp_path)
    with override_settings(TOUCHPOINT_TEMPLATE_DIRS=[str(tmp_path)]):
        code = touchpoint_main(["journey", "check", str(MINI)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.count(" T301 missing-template: ") == 11
    assert out.count(" T302 undefined-variable: ") == 1
    assert out.splitlines()[-1].startswith("mini-repair@1: 12 errors, 1 warning (12 states, 15 transitions")


def test_touchpoint_journey_check_passes_the_shipped_journeys(capsys: pytest.CaptureFixture[str]) -> None:
    assert touchpoint_main(["journey", "check", "mail-in-repair", "order-problem", "walk-in-warranty"]) == 0
    assert [line.split(":")[1].split(" (")[0] for line in capsys.readouterr().out.splitlines()] == [" clean"] * 3


def test_the_journey_cli_runs_extra_checks_it_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    from touchpoint.journeys import Diagnostic, LoadedJourney, Location, Severity
    from touchpoint.journeys.cli import main as journey_main

    def extra(loaded: LoadedJourney) -> list[Diagnostic]:
        where = Location(str(loaded.source.file))
        return [Diagnostic("X001", "extra", Severity.WARNING, f"seen {loaded.journey.key}", "nothing", where)]

    assert journey_main(["check", str(MINI)], extra_checks=[extra]) == 0
    assert capsys.readouterr().out.splitlines()[0] == f"{MINI}: warning X001 extra: seen mini-repair@1 — nothing"


def test_touchpoint_journey_check_needs_no_database() -> None:
    import os
    import subprocess
    import sys

    # given a database that can't be reached
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    # when the journeys are checked, templates and all
    out = subprocess.run(
        [sys.executable, "-m", "touchpoint.cli", "journey", "check", "mail-in-repair"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then they pass
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout.startswith("mail-in-repair@4: clean (37 states")


def test_a_written_sms_over_two_segments_or_without_the_case_link_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "touchpoints" / "mini-repair"
    folder.mkdir(parents=True)
    long = "Your device is with us and we're looking after it; we'll tell you as soon as there's news. " * 2
    sms = {
        # curly quotes make it UCS-2: 70 a message, so three segments; and no link
        "playful_sms": long.replace("'", "’"),
        # plain, with the link: two segments at most
        "sober_sms": "{{ case.reference }}: with us. {{ tracking_url }} Reply to reach a person.",
    }
    parts = ALL_PARTS
    for name, words in sms.items():
        written = f"{{% partialdef {name} %}}{name.replace('_', ' ')} {{{{ case.reference }}}} {{{{ tracking_url }}}}"
        assert written in parts
        parts = parts.replace(written, f"{{% partialdef {name} %}}{words}")
    (folder / "send_device.html").write_text(parts)
    findings = [
        d
        for d in template_check(load_journey(MINI), dirs=(str(tmp_path), str(SHIPPED_DIR)))
        if "send_device" in d.message
    ]
    assert sorted((d.code, d.severity.value) for d in findings) == [("T305", "warning"), ("T306", "warning")]
    too_long = next(d for d in findings if d.code == "T305")
    assert (
        "`send_device` (playful sms) takes 3 segments" in too_long.message
        and "UCS-2 because of '’'" in too_long.message
    )
    assert "(playful sms) doesn't give the case's link" in next(d for d in findings if d.code == "T306").message
