"""``touchpoint journey check`` for templates: every touch point rendered with sample data in every
tone and channel; a missing template or partial, an undefined variable or a broken template is a
finding. Needs no database (a standalone template ``Engine`` and plain-dict sample data).

The lookup is :mod:`.rendering`'s: the journey's file, else the shared one, else (for a journey with
no template folder) the generic one; each part ``<tone>_<part>``, else the tone-free ``<part>``.
So every tone, sober included, must find its own words for the subject and the text: a sober
message never borrows playful words, and a missing one names the file and the part. (The HTML and
the SMS may be left out: they are derived.)

Codes: T301 missing-template, T302 undefined-variable, T303 template-error (errors); warnings: T304
unused-template (a file for a touch point the journey doesn't declare, e.g. after a rename), T305
sms-too-long (a written SMS part over two segments), T306 sms-without-link (a written SMS part
without the case's link).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.template import Engine, TemplateDoesNotExist, TemplateSyntaxError

from touchpoint.journeys import Diagnostic, Journey, LoadedJourney, Location, Severity
from touchpoint.text.sms import sms_segments as sms_count
from touchpoint.touchpoints.persona import Persona, persona_load
from touchpoint.touchpoints.rendering import (
    CONTEXT_NAMES,
    DERIVED,
    GENERIC,
    PARTS,
    REQUIRED_PARTS,
    SHIPPED_DIR,
    SMS_SEGMENTS,
    TEMPLATE_TONES,
    RenderedTouchpoint,
    partial_find,
    sample_context,
    sample_data,
    template_find,
    template_name,
    template_names,
    touchpoint_engine,
    touchpoint_render,
    undefined_names,
)


def configured_template_dirs() -> tuple[str, ...]:
    """The shop's directories (when Django settings can be read) and the shipped ones."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from touchpoint.touchpoints.rendering import template_dirs

        return template_dirs()
    except ImproperlyConfigured:
        return (str(SHIPPED_DIR),)


def state_for(journey: Journey, key: str) -> str:
    """A state the touch point is sent into: the target of the first move that sends it, or the start.

    A target the journey doesn't define is skipped (J101 reports it); the start is returned as
    written, so a caller must allow for a start that isn't defined either."""
    if key != journey.start_touchpoint:
        for transition in journey.transitions:
            if transition.touchpoint == key and transition.to in journey.states:
                return transition.to
    return journey.start


def _journey_dir(dirs: tuple[str, ...], journey: str) -> Path | None:
    for directory in dirs:
        candidate = Path(directory) / "touchpoints" / journey
        if candidate.is_dir():
            return candidate
    return None


def _line_of(path: str, partial: str) -> int:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    for number, line in enumerate(lines, start=1):
        if f"partialdef {partial}" in line:
            return number
    return 0


def template_check(
    loaded: LoadedJourney,
    *,
    dirs: tuple[str, ...] | None = None,
    overrides: tuple[tuple[str, str], ...] = (),
    persona: Persona | None = None,
) -> list[Diagnostic]:
    """Findings about ``loaded``'s touch point templates (an extra check for ``journey check``).

    ``overrides`` (template name, source) and ``persona`` are what the admin has stored, so an edit
    is checked exactly as it will be rendered."""
    dirs = configured_template_dirs() if dirs is None else dirs
    journey = loaded.journey
    engine: Engine = touchpoint_engine(dirs=dirs, strict=True, overrides=overrides)
    own = _journey_dir(dirs, journey.name)
    overridden = {name for name, _ in overrides}
    persona = persona or persona_load(key=journey.persona, dirs=dirs)
    findings: list[Diagnostic] = []
    # (template, variable) already reported: once, at the first part and tone that shows it (the
    # layout repeats the subject; a tone-free part and a derived SMS are rendered in both tones)
    said: set[tuple[str, str]] = set()
    if own is not None:
        for path in sorted(own.glob("*.html")):
            if path.stem not in journey.touchpoints:
                findings.append(
                    Diagnostic(
                        "T304",
                        "unused-template",
                        Severity.WARNING,
                        f"`{path.stem}` is not a touch point of {journey.name}, so this template is never sent",
                        "rename it to a key under `touchpoints:` or delete it",
                        Location(str(path)),
                    )
                )
    for key, summary in journey.touchpoints.items():
        name = template_name(journey=journey.name, key=key)
        try:
            template = template_find(engine=engine, journey=journey.name, key=key)
        except TemplateSyntaxError as exc:
            broken = next(n for n in template_names(journey=journey.name, key=key) if _parses(engine, n) is False)
            findings.append(
                Diagnostic(
                    "T303",
                    "template-error",
                    Severity.ERROR,
                    f"`{key}`: {exc}",
                    "fix the template syntax",
                    Location(_where(broken, dirs=dirs, overridden=overridden)),
                )
            )
            continue
        if template == GENERIC and (own is not None or name in overridden):
            findings.append(
                Diagnostic(
                    "T301",
                    "missing-template",
                    Severity.ERROR,
                    f"touch point `{key}` has no template",
                    f"write {name} (copy touchpoints/_generic.html to start)",
                    Location(str(own / f"{key}.html" if own is not None else f"admin: {name}")),
                )
            )
            continue
        origin = _where(template, dirs=dirs, overridden=overridden)
        # a journey whose start is undefined (J101) still has its templates checked, with a blank step
        state = journey.states.get(state_for(journey, key))
        # The full sample and the bare one: both sides of every `{% if money.refunded %}` are rendered.
        contexts = [
            sample_context(
                persona=persona,
                summary=summary,
                label=state.label if state is not None else "",
                next_step=(state.next_step or "") if state is not None else "",
                journey_title=journey.title or journey.name,
                data=sample_data(journey, bare=bare),
                bare=bare,
            )
            for bare in (False, True)
        ]
        for tone in TEMPLATE_TONES:
            missing = [
                part
                for part in REQUIRED_PARTS
                if partial_find(engine=engine, template=template, tone=tone, part=part) is None
            ]
            for part in missing:
                findings.append(
                    Diagnostic(
                        "T301",
                        "missing-template",
                        Severity.ERROR,
                        f"touch point `{key}` has no {tone} words for the {part}: no `{tone}_{part}` partial "
                        f"and no tone-free `{part}`",
                        f"add {{% partialdef {tone}_{part} %}}…{{% endpartialdef %}} (or {{% partialdef {part} %}} "
                        "for words the same in both tones)",
                        Location(origin),
                    )
                )
            if missing:
                continue
            try:
                renders = [
                    touchpoint_render(engine=engine, template=template, tone=tone, context=context)
                    for context in contexts
                ]
            except TemplateSyntaxError as exc:
                findings.append(
                    Diagnostic(
                        "T303",
                        "template-error",
                        Severity.ERROR,
                        f"`{key}` ({tone}): {exc}",
                        "fix the template",
                        Location(origin),
                    )
                )
                continue
            sms_source = dict(renders[0].sources).get("sms", "")
            if sms_source and sms_source != DERIVED:  # the file's own SMS; a derived one is made to fit
                findings += _sms_findings(key, tone, renders, contexts, Location(origin, _line_of(origin, "sms")))
            for index, part in enumerate(PARTS):
                texts = [(r.subject, r.text, r.html, r.sms)[index] for r in renders]
                partial = dict(renders[0].sources).get(part, "").partition("#")[2]  # "" for a derived part
                for variable in undefined_names(texts):
                    if (template, variable) in said:
                        continue
                    said.add((template, variable))
                    findings.append(
                        Diagnostic(
                            "T302",
                            "undefined-variable",
                            Severity.ERROR,
                            f"`{key}` ({tone} {part}) uses `{variable}`, which isn't defined",
                            f"use one of: {CONTEXT_NAMES}",
                            Location(origin, _line_of(origin, partial)),
                        )
                    )
    return findings


def _sms_findings(
    key: str, tone: str, renders: list[RenderedTouchpoint], contexts: list[dict[str, Any]], where: Location
) -> list[Diagnostic]:
    """A written SMS part over :data:`SMS_SEGMENTS` segments (T305: the customer pays nothing, the shop
    pays per segment and phones split it) or without the case's link (T306: a text is where a customer
    who chose texts finds their page)."""
    found: list[Diagnostic] = []
    longest = max((sms_count(r.sms) for r in renders), key=lambda c: c.segments)
    if longest.segments > SMS_SEGMENTS:
        why = f"UCS-2 because of {longest.not_gsm[:10]!r}" if longest.encoding == "UCS-2" else "GSM-7"
        found.append(
            Diagnostic(
                "T305",
                "sms-too-long",
                Severity.WARNING,
                f"`{key}` ({tone} sms) takes {longest.segments} segments ({longest.units} units, {why}), "
                f"over {SMS_SEGMENTS}",
                "shorten it (plain quotes and dashes keep a text in GSM-7: 160 characters a message, not 70)",
                where,
            )
        )
    missing = [r for r, c in zip(renders, contexts, strict=True) if str(c.get("tracking_url", "")) not in r.sms]
    if missing:
        found.append(
            Diagnostic(
                "T306",
                "sms-without-link",
                Severity.WARNING,
                f"`{key}` ({tone} sms) doesn't give the case's link: a customer who chose texts can't reach their page",
                "add {{ tracking_url }} to the sms part (or drop the part: the derived one has the link)",
                where,
            )
        )
    return found


def _parses(engine: Engine, name: str) -> bool | None:
    """True when ``name`` loads, False when it doesn't parse, None when there is no such template."""
    try:
        engine.get_template(name)
    except TemplateDoesNotExist:
        return None
    except TemplateSyntaxError:
        return False
    return True


def _where(name: str, *, dirs: tuple[str, ...], overridden: set[str]) -> str:
    """Where a template is read from, as the engine looks (the admin's override first, then the folders)."""
    if name in overridden:
        return f"admin: {name}"
    return next((str(Path(d) / name) for d in dirs if (Path(d) / name).is_file()), name)
