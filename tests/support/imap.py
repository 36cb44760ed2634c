"""A real IMAP server for the tests: Debian's dovecot, configured in a temporary directory.

It listens on 127.0.0.1 on a free port without TLS, knows one user with a static password, keeps
the mail in a maildir under the directory, runs as the current user and logs to a file there.
Mail is delivered by writing files into the maildir's ``new/``, as a local delivery agent does.

Without dovecot the tests that need it are skipped, with the reason; under CI (``CI`` set) a
missing dovecot fails instead, so the suite can't go quietly green without them."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "shop"
PASSWORD = "imap-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dovecot_binary() -> str:
    """The dovecot executable, or skip (fail under CI) saying how to get it."""
    found = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    why = "dovecot is not installed: `apt-get install -y dovecot-imapd` (make test does it when run as root)"
    if os.environ.get("CI"):
        pytest.fail(f"CI needs the IMAP tests: {why}")
    pytest.skip(why)


@dataclass
class Dovecot:
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.user

    def deliver(self, raw: bytes, *, folder: str = "") -> Path:
        """Put a message in the inbox (or a folder) the way a delivery agent does: tmp/, then new/."""
        base = self.maildir / f".{folder}" if folder else self.maildir
        for sub in ("tmp", "new", "cur"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        name = f"{time.time_ns()}.{uuid.uuid4().hex}.touchpoint-tests"
        (base / "tmp" / name).write_bytes(raw)
        (base / "tmp" / name).rename(base / "new" / name)
        _hand_over(self.root)
        return base / "new" / name

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _account(name: str, fallback: str) -> str:
    try:
        return pwd.getpwnam(name).pw_name
    except KeyError:
        return fallback


def _mail_ids() -> tuple[int, int]:
    """Dovecot won't open mail as uid 0: as root, the mail belongs to the package's ``dovecot`` user."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    try:
        account = pwd.getpwnam("dovecot")
    except KeyError:
        account = pwd.getpwnam("nobody")
    return account.pw_uid, account.pw_gid


def _hand_over(root: Path) -> None:
    """Give the mail directories (and what the tests wrote into them) to the mail user."""
    uid, gid = _mail_ids()
    if os.getuid() != 0:
        return
    for top in (root / "mail", root / "home"):
        os.chown(top, uid, gid)
        for path in top.rglob("*"):
            os.chown(path, uid, gid)


def _config(root: Path, port: int) -> str:
    me = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    # Dovecot's login and internal processes refuse to run as root: as root, use the package's users.
    internal = _account("dovecot", "nobody") if os.getuid() == 0 else me
    login = _account("dovenull", "nobody") if os.getuid() == 0 else me
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
mail_privileged_group =
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={_mail_ids()[0]} gid={_mail_ids()[1]} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth-worker {{
  user = {me}
  group = {group}
}}
"""


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            return s.recv(64).startswith(b"* OK")
    except OSError:
        return False


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    """Start dovecot in a fresh directory (its own, not pytest's: the mail user must reach it)."""
    binary = dovecot_binary()
    port = free_port()
    root = Path(tempfile.mkdtemp(prefix="touchpoint-dovecot-"))
    root.chmod(0o755)
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    _hand_over(root)
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port))
    server = Dovecot(port=port, root=root)
    process = subprocess.Popen(
        [binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 15
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout and process.poll() is not None else ""
                raise AssertionError(f"dovecot did not start:\n{output}\n{server.log()}")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running dovecot for one test (import this fixture into the test module)."""
    with dovecot_server() as server:
        yield server
