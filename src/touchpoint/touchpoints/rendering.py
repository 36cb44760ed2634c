"""Touch point templates: one file per message, a partial per channel, in a tone or tone-free.

**Which file.** A touch point ``<key>`` of journey ``<journey>`` is the first of
``touchpoints/<journey>/<key>.html`` (the journey's own words) and ``touchpoints/shared/<key>.html``
(the words every journey without its own file shares) that exists, looked up in the admin's
overrides, then the shop's directories (``settings.TOUCHPOINT_TEMPLATE_DIRS``), then the shipped
ones; else ``touchpoints/_generic.html`` (the summary, the state's label and its next step).

**Which partial.** Each part (``subject``, ``text``, ``html``, ``sms``) in tone ``playful`` or
``sober`` is the partial ``<tone>_<part>``, else the tone-free ``<part>`` (words the same in both
tones, written once). A sober message never falls back to playful words: ``journey check`` requires
``sober_<part>`` or ``<part>`` for every part, and says which file and part is missing.

**Derived parts.** The HTML is optional: a file without ``<tone>_html`` or ``html`` gets its text
part as paragraphs (:data:`HTML_FROM_TEXT`). So is the SMS: a file without ``<tone>_sms`` or ``sms``
gets :func:`sms_derive` (the subject, the case link and how to reach a person, within two segments).

The text and HTML bodies are wrapped in a shared layout (``touchpoints/_layout.txt`` / ``.html``)
that signs as the persona and always says how to reach a person.

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

from touchpoint.journeys import Journey
from touchpoint.text.sms import sms_segments as segments_of
from touchpoint.touchpoints.persona import Persona

SHIPPED_DIR = Path(__file__).parent / "templates"
GENERIC = "touchpoints/_generic.html"
SHARED = "shared"  # touchpoints/shared/<key>.html: the words every journey without its own file uses
# The tones a template writes words for (the tone rule that picks one is touchpoints.tone, which
# reads the database; the check and the preview need only the names).
TEMPLATE_TONES = ("playful", "sober")
PARTS = ("subject", "text", "html", "sms")
REQUIRED_PARTS = ("subject", "text")  # a file without an html or sms part gets a derived one
DERIVED = "derived"  # the source of a part made from others: the html from the text, the SMS by sms_derive
HTML_FROM_TEXT = "touchpoints/_html_from_text.html"
LIBRARIES = {"touchpoint_html": "touchpoint.touchpoints.templatetags.touchpoint_html"}
SMS_SEGMENTS = 2
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
    # (part, where its words came from): "touchpoints/shared/still_on_it.html#sober_text", or DERIVED
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def partials(self) -> tuple[tuple[str, str], ...]:
        """(part, the partial that said it, e.g. ``sober_subject`` or ``text``, or ``derived``)."""
        return tuple((part, source.partition("#")[2] or source) for part, source in self.sources)


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
        return Engine(dirs=list(dirs), string_if_invalid=invalid, libraries=LIBRARIES)
    loaders = [("django.template.loaders.locmem.Loader", dict(overrides)), "django.template.loaders.filesystem.Loader"]
    return Engine(
        dirs=list(dirs),
        loaders=[("django.template.loaders.cached.Loader", loaders)],
        string_if_invalid=invalid,
        libraries=LIBRARIES,
    )


def template_name(*, journey: str, key: str) -> str:
    return f"touchpoints/{journey}/{key}.html"


def template_names(*, journey: str, key: str) -> tuple[str, ...]:
    """Where a touch point's words are looked for, in order: the journey's own file, then the shared one."""
    own = template_name(journey=journey, key=key)
    return (own,) if journey == SHARED else (own, template_name(journey=SHARED, key=key))


@lru_cache(maxsize=1024)
def template_find(*, engine: Engine, journey: str, key: str) -> str:
    """The first of :func:`template_names` that exists in any directory or override, else :data:`GENERIC`.
    Kept per engine, as :func:`partial_find` is (a miss isn't raised and caught on every message)."""
    for name in template_names(journey=journey, key=key):
        try:
            engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        return name
    return GENERIC


@lru_cache(maxsize=4096)
def partial_find(*, engine: Engine, template: str, tone: str, part: str) -> str | None:
    """The partial that says ``part`` in ``tone``: ``<template>#<tone>_<part>``, else the tone-free
    ``<template>#<part>``; None when the file has neither. Never the other tone's words.

    Kept per engine: an engine reads each file once (its cached loader) and an admin edit makes a
    new engine (:func:`touchpoint_engine`), so the answer for one engine never changes."""
    for name in (f"{template}#{tone}_{part}", f"{template}#{part}"):
        try:
            engine.get_template(name)
        except TemplateDoesNotExist:
            continue
        return name
    return None


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` is sent in (:mod:`touchpoint.text.sms`)."""
    return segments_of(text).segments


SMS_END = "Reply to reach a person."


def sms_derive(*, subject: str, url: str) -> str:
    """The SMS of a message whose file has none: ``<subject> <case link> Reply to reach a person.``,
    the subject shortened (ending "...") until the whole fits in :data:`SMS_SEGMENTS` segments."""
    tail = f" {url} {SMS_END}" if url else f" {SMS_END}"
    if sms_segments(subject + tail) <= SMS_SEGMENTS:
        return (subject + tail).strip()
    for end in range(len(subject) - 1, 0, -1):
        shortened = subject[:end].rstrip() + "..."
        if sms_segments(shortened + tail) <= SMS_SEGMENTS:
            return shortened + tail
    return tail.strip()


def _tidy_text(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def touchpoint_render(*, engine: Engine, template: str, tone: str, context: dict[str, Any]) -> RenderedTouchpoint:
    """Render every channel of one touch point in ``tone`` (each part by :func:`partial_find`; the SMS
    and the HTML derived when the file has none). Raises TemplateDoesNotExist for a missing subject or text."""
    sources: dict[str, str] = {}

    def part(name: str, *, autoescape: bool) -> str:
        found = partial_find(engine=engine, template=template, tone=tone, part=name)
        if found is None:
            raise TemplateDoesNotExist(f"{template}#{tone}_{name} (nor the tone-free #{name})")
        sources[name] = found
        return str(engine.get_template(found).render(Context(context, autoescape=autoescape)))

    subject = _one_line(part("subject", autoescape=False))
    text_body = _tidy_text(part("text", autoescape=False))
    if partial_find(engine=engine, template=template, tone=tone, part="html") is None:
        # the text part again, its values escaped for HTML, drawn as paragraphs
        escaped = engine.get_template(sources["text"]).render(Context(context))
        html_body = engine.get_template(HTML_FROM_TEXT).render(Context({"body": escaped})).strip()
        sources["html"] = DERIVED
    else:
        html_body = part("html", autoescape=True).strip()
    if partial_find(engine=engine, template=template, tone=tone, part="sms") is None:
        sms, sources["sms"] = sms_derive(subject=subject, url=str(context.get("tracking_url") or "")), DERIVED
    else:
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
        sources=tuple(sources.items()),
    )


def persona_context(persona: Persona) -> dict[str, str]:
    return {"name": persona.name, "signature": persona.signature}


def sample_context(
    *,
    persona: Persona,
    summary: str,
    label: str,
    next_step: str,
    journey_title: str,
    data: dict[str, Any] | None = None,
    bare: bool = False,
) -> dict[str, Any]:
    """Sample data in the shape :func:`touchpoint.touchpoints.services.touchpoint_context` builds.

    The full sample has every value set (money paid and refunded, a balance due, actions, timers);
    ``bare`` has none of them, so a check renders both sides of each ``{% if %}``. ``data`` is the
    case data (:func:`sample_data` makes it from a journey's declarations)."""
    # As long as a real link (a 43-character token): SMS segments are counted with it.
    url = "https://repairs.example.com/c/sampleLinkTokenAsLongAsARealOne43Characters/"
    money = {
        "price": "£29.00",
        "paid": "£29.00",
        "refunded": "£29.00",
        "refunded_all": True,
        "refund_to_card": True,
        "refund_done": False,
        "extra": "£45.00",
        "balance_due": "£45.00",
        "balance_paid": "£45.00",
        "waived": "£45.00",
        "due": "£45.00",
        "quote": "£45.00",
    }
    full = {
        "money": money,
        "pay": {
            "url": f"{url}#pay",
            "card": True,
            "bank": True,
            "bank_details": "The Repair Shop Ltd · sort code 12-34-56 · account 12345678",
        },
        "actions": [{"event": "sample_event", "label": "Do the sample thing", "url": f"{url}#act-sample_event"}],
        "offers": ["sample_event"],
        "links": {"extra_work": f"{url}#extra-work", "feedback": f"{url}#feedback"},
        "due": {"wait": "16:00 tomorrow", "wait_day": "tomorrow", "accept": "14:00 today"},
    }
    if bare:
        full = {
            "money": {name: (False if isinstance(value, bool) else "") for name, value in money.items()},
            "pay": {"url": "", "card": False, "bank": False, "bank_details": ""},
            "actions": [],
            "offers": [],
            "links": {"extra_work": "", "feedback": ""},
            "due": {"wait": "", "wait_day": "", "accept": ""},
        }
    return {
        "customer": {"first_name": "Ian", "name": "Ian Kearns"},
        "case": {"reference": "TP-4K7Q9"},
        "state": {"label": label, "next_step": next_step},
        "summary": summary,
        "persona": persona_context(persona),
        "device": "nano-4g",
        "data": data or {},
        "shop": {
            "name": "The Repair Shop",
            "address": "Repairs Dept., 12 Workshop Lane, Bristol, BS1 4QT",
            "address_lines": ["Repairs Dept.", "12 Workshop Lane", "Bristol", "BS1 4QT"],
        },
        "quote_total": "" if bare else "£45.00",
        "quote_lines": [] if bare else [{"description": "New battery", "price": "£45.00"}],
        **full,
        "reply_address": "reply+sample@touchpoint.localhost",
        "tracking_url": url,
        "journey": {"title": journey_title},
    }


_SAMPLE_VALUES: dict[str, Any] = {
    "text": "sample",
    "integer": 4,
    "number": 4,
    "money": "45.00",
    "address": "1 Sample Street, Bristol",
}


def sample_data(journey: Journey, *, bare: bool = False) -> dict[str, Any]:
    """A value for every field ``journey`` declares: true booleans and the first choice, or (``bare``)
    false ones and nothing else set, so templates are checked on both sides of ``{% if data.x %}``."""
    out: dict[str, Any] = {}
    for name, declared in journey.data.items():
        if declared.type == "boolean":
            out[name] = not bare
        elif not bare:
            out[name] = (
                declared.choices[0]
                if declared.type == "choice" and declared.choices
                else _SAMPLE_VALUES.get(declared.type, "sample")
            )
    return out


# Every name a template may use, for the check's hint (the keys of the sample data, dotted).
CONTEXT_NAMES = (
    "customer.first_name, customer.name, case.reference, state.label, state.next_step, summary, "
    "persona.name, persona.signature, device, data.<field>, shop.name, shop.address, shop.address_lines, "
    "quote_total, money.price, money.paid, money.refunded, money.refunded_all, money.refund_to_card, "
    "money.refund_done, money.extra, money.balance_due, money.balance_paid, money.waived, money.due, "
    "money.quote, pay.url, pay.card, pay.bank, pay.bank_details, actions (each: event, label, url), "
    "offers, links.extra_work, links.feedback, due.wait, due.wait_day, due.accept, reply_address, "
    "tracking_url, journey.title"
)


def undefined_names(rendered: Sequence[str]) -> list[str]:
    """The variable names :data:`UNDEFINED` marked in ``rendered`` texts, in order, once each."""
    found: dict[str, None] = {}
    for text in rendered:
        for match in re.finditer("\x00undefined:(.*?)\x00", text):
            found[match.group(1)] = None
    return list(found)
