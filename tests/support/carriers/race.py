"""Child process for the carriers' race test: read a signed delivery, say "ready", wait for "go" on
stdin, then POST it to the webhook (the real view, through Django's test client) and print the answer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import django


def main() -> None:
    provider, body_path = sys.argv[1], Path(sys.argv[2])
    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, as in the parent
    from tests.support.carriers import deliver

    body = body_path.read_bytes()
    print("ready", flush=True)
    sys.stdin.readline()  # the starting gun: both children hold the same delivery
    response = deliver(provider, body)
    print(json.dumps({"status": response.status_code, "body": response.json()}), flush=True)


if __name__ == "__main__":
    main()
