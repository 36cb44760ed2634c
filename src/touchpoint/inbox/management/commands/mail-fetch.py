"""``touchpoint mail-fetch``: the same command as ``touchpoint mail_fetch``, by the name the docs use."""

from touchpoint.inbox.management.commands.mail_fetch import Command

__all__ = ["Command"]
