"""Child process for the race test: read a case, say "ready", wait for "go" on stdin, advance it."""

from __future__ import annotations

import sys

import django


def main() -> None:
    case_id, event = int(sys.argv[1]), sys.argv[2]
    django.setup()
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.cases.errors import CaseConflict
    from touchpoint.cases.models import Case
    from touchpoint.flows.advance import case_advance

    case = Case.objects.get(pk=case_id)
    print("ready", flush=True)
    sys.stdin.readline()  # the starting gun: both children have read version 1
    try:
        result = case_advance(case=case, event=event, actor=SYSTEM)
    except CaseConflict as exc:
        print(f"conflict {exc}")
    else:
        print(f"won {result.case.state} v{result.case.version}")


if __name__ == "__main__":
    main()
