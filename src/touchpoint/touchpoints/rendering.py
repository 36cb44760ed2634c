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
that signs as the persona and always says how to reach a person. The HTML layout is the shop's: its
logo and colour, the persona's face, where the case is on its way and one button to the case page;
its ``<style>`` block is inlined into the elements (:func:`email_inline`) as the message is rendered,
so what is stored in ``body_html`` is what mail apps that drop ``<style>`` show.

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

import css_inline
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils.safestring import mark_safe

from touchpoint.journeys import Journey
from touchpoint.journeys.progress import Milestone, Progress
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
NOTICE_BODY = "touchpoints/_notice_body.html"  # the same, each address a link
LIBRARIES = {"touchpoint_html": "touchpoint.touchpoints.templatetags.touchpoint_html"}
SMS_SEGMENTS = 2
UNDEFINED = "\x00undefined:%s\x00"  # string_if_invalid while checking: marks a variable that didn't resolve
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
LAYOUT_HTML, LAYOUT_TEXT = "touchpoints/_layout.html", "touchpoints/_layout.txt"
DEFAULT_COLOUR = "#1f5fa8"  # shop.selectors.DEFAULT_BRAND_COLOUR: white text on it reads at 6.5:1
PREHEADER_MAX = 110  # what inbox lists show beside the subject, about
# The layout's <style> goes into each element's style attribute (Gmail's app and Outlook drop much of
# <style>); the media queries (phone width, dark mode) can't be inlined and stay in a <style> block.
# Nothing is fetched: the layout links no stylesheet.
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


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


def email_inline(html: str) -> str:
    """``html`` with its ``<style>`` rules written into the elements they style (media queries kept)."""
    return _INLINER.inline(html)


def preheader(text_body: str) -> str:
    """The line an inbox shows under the subject: the message's first words after the greeting."""
    blocks = [" ".join(block.split()) for block in text_body.split("\n\n") if block.strip()]
    if len(blocks) > 1 and len(blocks[0]) < 40 and blocks[0].endswith(","):  # "Hi Ian,"
        blocks = blocks[1:]
    first = blocks[0] if blocks else ""
    if len(first) <= PREHEADER_MAX:
        return first
    return first[: PREHEADER_MAX - 1].rsplit(" ", 1)[0] + "…"


def layout_render(*, engine: Engine, context: dict[str, Any], body_html: str, body_text: str) -> tuple[str, str]:
    """The HTML (CSS inlined) and text of a message: ``body_html`` (already escaped) and
    ``body_text`` in the shared layout, with ``context`` (the touch point's, or a notice's)."""
    layout = {**context, "preheader": preheader(body_text)}
    text = engine.get_template(LAYOUT_TEXT).render(Context({**layout, "body": body_text}, autoescape=False))
    html = engine.get_template(LAYOUT_HTML).render(Context({**layout, "body": mark_safe(body_html)}))  # noqa: S308 - escaped by its caller
    return email_inline(html.strip()) + "\n", _tidy_text(text) + "\n"


def notice_render(
    *,
    subject: str,
    text: str,
    shop: dict[str, Any],
    persona: dict[str, Any] | None = None,
    reference: str = "",
    tracking_url: str = "",
    engine: Engine | None = None,
) -> str:
    """The HTML of a notice (a link email, a staff reply in own words): its text as paragraphs in
    the shop's layout, signed by the text itself (no persona sign-off, unless ``persona``). Returns
    the HTML with its CSS inlined; the text part stays as written."""
    engine = engine or touchpoint_engine(dirs=template_dirs())
    body = engine.get_template(NOTICE_BODY).render(Context({"body": text})).strip()
    context = {
        "subject": subject,
        "tone": "sober",
        "notice": True,
        "shop": shop,
        "persona": persona or {"name": "", "signature": "", "avatar_url": "", "initials": ""},
        "case": {"reference": reference},
        "tracking_url": tracking_url,
        "progress": None,
        "actions": [],
    }
    return layout_render(engine=engine, context=context, body_html=body, body_text=text)[0]


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
    html, text = layout_render(
        engine=engine, context={**context, "tone": tone, "subject": subject}, body_html=html_body, body_text=text_body
    )
    return RenderedTouchpoint(
        subject=subject[:300],
        text=text,
        html=html,
        sms=sms,
        template=template,
        html_body=html_body,
        sources=tuple(sources.items()),
    )


def initials(name: str) -> str:
    """Initials for "Norm" → "N", "Nano Norm" → "NN": the persona's face when it has no picture."""
    words = [w for w in re.split(r"[\s\-]+", name) if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def persona_context(persona: Persona, *, avatar_url: str = "") -> dict[str, str]:
    """The voice: its name and signature, and its face (``avatar_url``, an absolute address; else initials)."""
    return {
        "name": persona.name,
        "signature": persona.signature,
        "avatar_url": avatar_url,
        "initials": initials(persona.name),
    }


def progress_context(progress: Progress | None) -> dict[str, Any] | None:
    """Where the case is on its way, for the layout: each milestone's label and status (done, now,
    next, later), ``line`` ("Step 3 of 6: In surgery") and the next milestone; None when not shown."""
    if progress is None:
        return None
    steps = [{"label": step.label, "status": step.status} for step in progress.steps]
    return {
        "line": progress.line,
        "number": progress.number,
        "count": progress.count,
        "label": progress.label,
        "next": progress.next_label,
        "finished": progress.finished,
        "steps": steps,
        "width": f"{100 / max(len(steps), 1):.2f}",  # each step's share of the bar, in per cent
    }


SAMPLE_PROGRESS = Progress(
    number=3,
    count=6,
    label="Being repaired",
    next_label="Final check-up",
    steps=tuple(
        Milestone(label, status)
        for label, status in (
            ("Order in", "done"),
            ("On its way to us", "done"),
            ("Being repaired", "now"),
            ("Final check-up", "next"),
            ("On its way home", "later"),
            ("All done", "later"),
        )
    ),
)


def sample_context(
    *,
    persona: Persona,
    summary: str,
    label: str,
    next_step: str,
    journey_title: str,
    data: dict[str, Any] | None = None,
    bare: bool = False,
    brand: dict[str, str] | None = None,
    avatar_url: str = "",
    progress: Progress | None = SAMPLE_PROGRESS,
) -> dict[str, Any]:
    """Sample data in the shape :func:`touchpoint.touchpoints.services.touchpoint_context` builds.

    The full sample has every value set (money paid and refunded, a balance due, actions, timers);
    ``bare`` has none of them (no progress either), so a check renders both sides of each ``{% if %}``.
    ``data`` is the case data (:func:`sample_data` makes it from a journey's declarations); ``brand``
    (the shop's ``logo_url`` and ``colour``), ``avatar_url`` and ``progress`` are the real ones where
    the caller knows them (the admin's preview), else a neutral sample."""
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
        "persona": persona_context(persona, avatar_url=avatar_url),
        "progress": None if bare else progress_context(progress),
        "device": "nano-4g",
        "data": data or {},
        "shop": {
            "name": "The Repair Shop",
            "address": "Repairs Dept., 12 Workshop Lane, Bristol, BS1 4QT",
            "address_lines": ["Repairs Dept.", "12 Workshop Lane", "Bristol", "BS1 4QT"],
            **(brand or {"logo_url": "", "colour": DEFAULT_COLOUR}),
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
    "persona.name, persona.signature, persona.avatar_url, persona.initials, progress (line, number, count, "
    "label, next, finished, steps), device, data.<field>, shop.name, shop.address, shop.address_lines, "
    "shop.logo_url, shop.colour, "
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
