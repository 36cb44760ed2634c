"""Files an outgoing message carries, made when it is sent rather than stored with it.

A message lists attachment *kinds* (``["box_label"]``); ``touchpoint_enqueue`` takes them from
``TOUCHPOINT_TOUCHPOINT_ATTACHMENTS`` (touch point key → kinds), and the email channel asks the
function that ``TOUCHPOINT_ATTACHMENT_MAKERS`` names for each kind for its bytes. Making the file
at send time keeps the outbox row small and the file current (a label reprinted after an address
change), and keeps the outbox from importing the apps that make the files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from touchpoint.outbox.models import OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


Maker = Callable[["OutboxMessage"], tuple[str, bytes, str]]


class UnknownAttachment(LookupError):
    """A message names a kind no setting says how to make."""


class AttachmentNotReady(Exception):
    """The file will exist later (a label still being bought): the message waits and is tried again."""


def attachment_kinds(touchpoint: str) -> list[str]:
    """The kinds of file the touch point ``touchpoint`` carries (none for most)."""
    return list(settings.TOUCHPOINT_TOUCHPOINT_ATTACHMENTS.get(touchpoint, []))


@cache
def _maker(path: str) -> Maker:
    maker: Maker = import_string(path)
    return maker


def attachments_make(*, message: OutboxMessage) -> list[Attachment]:
    """Every file ``message`` carries, made now. Raises UnknownAttachment for a kind nobody can make."""
    made = []
    for kind in message.attachments:
        path = settings.TOUCHPOINT_ATTACHMENT_MAKERS.get(kind)
        if path is None:
            raise UnknownAttachment(f"no maker for attachment kind `{kind}` (TOUCHPOINT_ATTACHMENT_MAKERS)")
        filename, content, mimetype = _maker(path)(message)
        made.append(Attachment(filename, content, mimetype))
    return made
