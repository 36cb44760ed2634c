"""``touchpoint journey check`` for templates: every touch point rendered with sample data in every
tone and channel; a missing template or partial, an undefined variable or a broken template is a
finding. Needs no database (a standalone template ``Engine`` and plain-dict sample data).

Codes: T301 missing-template, T302 undefined-variable, T303 template-error (errors); T304
unused-template (a warning: a file for a touch point the journey doesn't declare, e.g. after a rename).
"""

from __future__ import annotations

from pathlib import Path

from django.template import Engine, TemplateDoesNotExist, TemplateSyntaxError

from touchpoint.journeys import Diagnostic, Journey, LoadedJourney, Location, Severity
from touchpoint.touchpoints.persona import Persona, persona_load
from touchpoint.touchpoints.rendering import (
    CONTEXT_NAMES,
    GENERIC,
    PARTS,
    SHIPPED_DIR,
    sample_context,
    sample_data,
    template_name,
    touchpoint_engine,
    touchpoint_render,
    undefined_names,
)
from touchpoint.touchpoints.tone import TONES


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
        template = GENERIC
        if own is not None or name in overridden:
            where = own / f"{key}.html" if own is not None else Path(f"admin: {name}")
            try:
                origin = engine.get_template(name).origin.name
                template = name
            except TemplateDoesNotExist:
                findings.append(
                    Diagnostic(
                        "T301",
                        "missing-template",
                        Severity.ERROR,
                        f"touch point `{key}` has no template",
                        f"write {name} (copy touchpoints/_generic.html to start)",
                        Location(str(where)),
                    )
                )
                continue
            except TemplateSyntaxError as exc:
                findings.append(
                    Diagnostic(
                        "T303",
                        "template-error",
                        Severity.ERROR,
                        f"`{key}`: {exc}",
                        "fix the template syntax",
                        Location(str(where)),
                    )
                )
                continue
        else:
            origin = str(SHIPPED_DIR / GENERIC)
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
        for tone in TONES:
            missing = [part for part in PARTS if not _has_partial(engine, f"{template}#{tone}_{part}")]
            for part in missing:
                findings.append(
                    Diagnostic(
                        "T301",
                        "missing-template",
                        Severity.ERROR,
                        f"touch point `{key}` has no `{tone}_{part}` partial",
                        f"add {{% partialdef {tone}_{part} %}}…{{% endpartialdef %}}",
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
            for index, part in enumerate(PARTS):
                texts = [(r.subject, r.text, r.html, r.sms)[index] for r in renders]
                for variable in undefined_names(texts):
                    findings.append(
                        Diagnostic(
                            "T302",
                            "undefined-variable",
                            Severity.ERROR,
                            f"`{key}` ({tone} {part}) uses `{variable}`, which isn't defined",
                            f"use one of: {CONTEXT_NAMES}",
                            Location(origin, _line_of(origin, f"{tone}_{part}")),
                        )
                    )
    return findings


def _has_partial(engine: Engine, name: str) -> bool:
    try:
        engine.get_template(name)
    except TemplateDoesNotExist:
        return False
    return True
