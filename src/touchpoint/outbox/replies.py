"""A staff reply to the customer: a persona touch point template, or a person's own words.

Either way it goes out through the outbox and the timeline says which it was, so nobody mistakes a
template for a personal answer (or the other way round)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from touchpoint.cases.actors import staff_actor
from touchpoint.cases.errors import CaseConflict, CaseError
from touchpoint.cases.journeys import journey_of
from touchpoint.cases.models import Case, TimelineEntry, TimelineKind
from touchpoint.cases.services.notes import case_version_bump, replayed_entry
from touchpoint.cases.services.timeline import timeline_append
from touchpoint.core.clock import now
from touchpoint.outbox.services import notice_enqueue
from touchpoint.outbox.surveys import surveys_release
from touchpoint.shop.selectors import shop_settings
from touchpoint.staff.models import StaffUser
from touchpoint.touchpoints.brand import notice_html
from touchpoint.touchpoints.services import case_message_render, tracking_url

REPLY_EVENT = "staff_reply"
REPLY_MAX = 8000


class ReplyInvalid(CaseError):
    """The reply can't be sent as asked (no text, an unknown template); nothing was written."""


@dataclass(frozen=True)
class Draft:
    """The message a reply would send, for a preview or for sending."""

    subject: str
    text: str
    html: str
    tone: str  # the tone rule's choice for a template; "personal" for own words
    tone_reason: str
    template: str  # the touch point key, or "" for own words

    @property
    def automated(self) -> bool:
        return bool(self.template)


def reply_draft(*, case: Case, author: StaffUser, template: str = "", text: str = "") -> Draft:
    """What the customer would receive; raises :class:`ReplyInvalid` when there is nothing to send.

    A template is rendered exactly as the journey would send it, in the tone the tone rule picks now."""
    journey = journey_of(case.journey)
    if template:
        if template not in journey.touchpoints:
            raise ReplyInvalid(
                f"`{template}` is not a message of {journey.title or journey.name}; pick one from the list"
            )
        message = case_message_render(case=case, journey=journey, key=template)
        rendered = message.rendered
        return Draft(rendered.subject, rendered.text, rendered.html, message.tone.tone, message.tone.reason, template)
    body = text.strip()
    if not body:
        raise ReplyInvalid("write your reply first, or pick a persona message instead")
    if len(body) > REPLY_MAX:
        raise ReplyInvalid(f"a reply can be at most {REPLY_MAX} characters; this one has {len(body)}")
    name = author.get_full_name() or author.username
    shop = shop_settings().name
    page = tracking_url(case=case)
    signed = (
        f"{body}\n\n{name}\n{shop}\n\n"
        f"Your reference: {case.reference}\n"
        f"Follow your repair, and answer us, here: {page}\n"
        "Reply to this email and it comes straight back to me and the team.\n"
    )
    subject = f"{case.reference}: a message from {author.first_name or name} at {shop}"
    html = notice_html(subject=subject, text=signed, reference=case.reference, tracking_url=page)
    return Draft(subject, signed, html, "personal", f"written by {name}", "")


def case_reply_send(
    *, case: Case, author: StaffUser, idempotency_key: str, template: str = "", text: str = ""
) -> TimelineEntry:
    """Send ``case``'s customer a reply (``template`` or own-words ``text``) as ``author``.

    Opens its own transaction: the version claim, the outbox row and the timeline entry commit
    together. Raises :class:`ReplyInvalid` or :class:`CaseConflict` (the case changed since it was
    read) with nothing written. The same ``idempotency_key`` (the form's nonce) sends once."""
    if (replay := replayed_entry(case=case, key=idempotency_key, event=REPLY_EVENT)) is not None:
        return replay
    draft = reply_draft(case=case, author=author, template=template, text=text)
    at = now()
    summary = (
        f"Reply (persona template `{draft.template}`, {draft.tone}) sent by {author}"
        if draft.automated
        else f"Reply in own words by {author}"
    )
    try:
        with transaction.atomic():
            case_version_bump(case=case, at=at)
            message = notice_enqueue(
                recipient=case.customer.email,
                subject=draft.subject,
                body_text=draft.text,
                body_html=draft.html,
                idempotency_key=idempotency_key,
                case=case,
                # A person wrote it (or chose it): out-of-office answers are welcome, unlike for automation.
                headers={} if draft.automated else {"Auto-Submitted": "no"},
            )
            entry = timeline_append(
                case=case,
                kind=TimelineKind.DELIVERY,
                actor=staff_actor(author),
                at=at,
                event=REPLY_EVENT,
                summary=summary,
                detail={
                    "message": message.pk,
                    "template": draft.template,
                    "tone": draft.tone,
                    "tone_reason": draft.tone_reason,
                    "personal": not draft.automated,
                },
                idempotency_key=idempotency_key,
            )
            if not draft.automated:  # a person wrote: a feedback request held since a complaint may go now
                surveys_release(case=case, actor=staff_actor(author))
            return entry
    except (CaseConflict, IntegrityError):
        if (replay := replayed_entry(case=case, key=idempotency_key, event=REPLY_EVENT)) is not None:
            return replay
        raise
