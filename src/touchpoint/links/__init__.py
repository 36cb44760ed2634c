"""Magic links: unguessable, revocable capabilities that open one case for its customer, no account needed.

Emailing them (on request, or when staff replace them) is an outbox notice: ``outbox/link_mail.py``."""
