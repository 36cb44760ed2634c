"""Every message of the third-party corpora is stored and acted on without an exception, on each database."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.mail.corpus import corpora_or_skip
from touchpoint.inbox.models import InboundMessage
from touchpoint.inbox.services import inbound_receive

pytestmark = pytest.mark.django_db


def test_every_corpus_message_is_stored_whole(customer: Any) -> None:
    root = corpora_or_skip()
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.suffix not in (".yml", ".md") and p.name != "SHA256SUMS"
    )
    assert len(files) >= 150
    kinds: Counter[str] = Counter()
    duplicates = 0
    for path in files:
        raw = path.read_bytes()
        result = inbound_receive(raw=raw, source="webhook")
        assert bytes(InboundMessage.objects.only("raw").get(pk=result.message.pk).raw) == raw or result.duplicate, path
        kinds[result.message.kind] += 1
        duplicates += result.duplicate
    stored = InboundMessage.objects.count()
    shares = dict(sorted((str(kind), n) for kind, n in kinds.items()))
    print(f"corpora through the inbox: {len(files)} files, {stored} stored, kinds {shares}")  # noqa: T201
    assert stored + duplicates == len(files)  # some files reuse a Message-ID: stored once, never lost
    assert kinds["bounce"] >= 5 and kinds["auto_reply"] >= 1
