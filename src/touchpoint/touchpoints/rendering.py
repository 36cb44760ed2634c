"""Touch point templates: one file per journey touch point, a partial per tone and channel.

A journey's templates live at ``touchpoints/<journey>/<touchpoint>.html`` in the first directory
that has them: the shop's own (``settings.TOUCHPOINT_TEMPLATE_DIRS``), then the shipped ones. Each
file defines eight partials (Django template partials, ``{% partialdef playful_subject %}``)::

    playful_subject playful_text playful_html playful_sms
    sober_subject   sober_text   sober_html   sober_sms

The text and HTML bodies are wrapped in a shared layout (``touchpoints/_layout.txt`` / ``.html``)
that signs as the persona and always says how to reach a person. A journey without a file for a
touch point renders ``touchpoints/_generic.html``, built from the touch point's summary, the
state's label and its next step.

Rendering uses a standalone template ``Engine`` with plain-dict contexts, so ``touchpoint journey
check`` renders every template with sample data without a database (see :mod:`.checks`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine, TemplateDoesNotExist
from django.utils.safestring import mark_safe

from touchpoint.touchpoints.persona import Persona

SHIPPED_DIR = Path(__file__).parent / "templates"
GENERIC = "touchpoints/_generic.html"
PARTS = ("subject", "text", "html", "sms")
UNDEFINED = "\x00undefined:%s\x00"  # string_if_invalid while checking: marks a variable that didn't resolve
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


@dataclass(frozen=True)
class RenderedTouchpoint:
    subject: str
    text: str
    html: str
    sms: str
    template: str  # the file the partials came from (GENERIC when the journey has none)
    html_body: str = ""  # the HTML partial alone, without the layout (for previews)


def template_dirs() -> tuple[str, ...]:
    """The shop's template directories first, then the shipped ones."""
    from django.conf import settings

    own = getattr(settings, "TOUCHPOINT_TEMPLATE_DIRS", None) or []
    return (*(str(d) for d in own), str(SHIPPED_DIR))


@lru_cache(maxsize=32)
def touchpoint_engine(
    *, dirs: tuple[str, ...], strict: bool = False, overrides: tuple[tuple[str, str], ...] = ()
) -> Engine:
    """A template engine over ``dirs``; ``strict`` marks every undefined variable with :data:`UNDEFINED`.

    ``overrides`` are ``(template name, source)`` pairs edited in the admin, found before any file.
    They are part of the cache key, so an edit gets a fresh engine (with its own compiled-template
    cache) the next time anything renders, in every process."""
    invalid = UNDEFINED if strict else ""
    if not overrides:
        return Engine(dirs=list(dirs), string_if_invalid=invalid)
    loaders = [("django.template.loaders.locmem.Loader", dict(overrides)), "django.template.loaders.filesystem.Loader"]
    return Engine(
        dirs=list(dirs), loaders=[("django.template.loaders.cached.Loader", loaders)], string_if_invalid=invalid
    )


def template_name(*, journey: str, key: str) -> str:
    return f"touchpoints/{journey}/{key}.html"


def template_find(*, engine: Engine, journey: str, key: str) -> str:
    """The journey's own template for ``key`` if one exists in any directory, else :data:`GENERIC`."""
    name = template_name(journey=journey, key=key)
    try:
        engine.get_template(name)
    except TemplateDoesNotExist:
        return GENERIC
    return name


def _tidy_text(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def touchpoint_render(*, engine: Engine, template: str, tone: str, context: dict[str, Any]) -> RenderedTouchpoint:
    """Render every channel of one touch point in ``tone``. Raises TemplateDoesNotExist for a missing partial."""

    def part(name: str, *, autoescape: bool) -> str:
        return str(engine.get_template(f"{template}#{tone}_{name}").render(Context(context, autoescape=autoescape)))

    subject = _one_line(part("subject", autoescape=False))
    text_body = _tidy_text(part("text", autoescape=False))
    html_body = part("html", autoescape=True).strip()
    sms = _one_line(part("sms", autoescape=False))
    layout = {**context, "tone": tone, "subject": subject}
    text = engine.get_template("touchpoints/_layout.txt").render(
        Context({**layout, "body": text_body}, autoescape=False)
    )
    html = engine.get_template("touchpoints/_layout.html").render(Context({**layout, "body": mark_safe(html_body)}))  # noqa: S308 - rendered with autoescape above
    return RenderedTouchpoint(
        subject=subject[:300],
        text=_tidy_text(text) + "\n",
        html=html.strip() + "\n",
        sms=sms,
        template=template,
        html_body=html_body,
    )


def persona_context(persona: Persona) -> dict[str, str]:
    return {"name": persona.name, "signature": persona.signature}


def sample_context(*, persona: Persona, summary: str, label: str, next_step: str, journey_title: str) -> dict[str, Any]:
    """Sample data in the shape :func:`touchpoint.touchpoints.services.touchpoint_context` builds."""
    return {
        "customer": {"first_name": "Ian", "name": "Ian Kearns"},
        "case": {"reference": "TP-4K7Q9"},
        "state": {"label": label, "next_step": next_step},
        "summary": summary,
        "persona": persona_context(persona),
        "device": "nano-4g",
        "quote_total": "45.00",
        "reply_address": "reply+sample@touchpoint.localhost",
        "tracking_url": "https://repairs.example.com/c/sample-link/",
        "journey": {"title": journey_title},
    }


def undefined_names(rendered: Sequence[str]) -> list[str]:
    """The variable names :data:`UNDEFINED` marked in ``rendered`` texts, in order, once each."""
    found: dict[str, None] = {}
    for text in rendered:
        for match in re.finditer("\x00undefined:(.*?)\x00", text):
            found[match.group(1)] = None
    return list(found)
