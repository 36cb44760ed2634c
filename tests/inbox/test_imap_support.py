"""Without dovecot the IMAP tests skip with the reason; under CI they fail instead."""

from __future__ import annotations

import pytest

from tests.support import imap


def no_dovecot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap.shutil, "which", lambda name: None)
    monkeypatch.setattr(imap.os, "access", lambda path, mode: False)


def test_missing_dovecot_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    no_dovecot(monkeypatch)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"dovecot is not installed: `apt-get install -y dovecot-imapd`"):
        imap.dovecot_binary()


def test_missing_dovecot_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    no_dovecot(monkeypatch)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI needs the IMAP tests"):
        imap.dovecot_binary()
