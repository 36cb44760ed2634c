"""Child process for the race test: read a case, wait for the starting gun, advance it."""

from __future__ import annotations

import sys
import time

import django


def main() -> None:
    case_id, event, start_at = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    django.setup()
    from touchpoint.cases.actors import SYSTEM
    from touchpoint.cases.errors import CaseConflict
    from touchpoint.cases.models import Case
    from touchpoint.cases.services.advance import case_advance

    case = Case.objects.get(pk=case_id)
    time.sleep(max(0.0, start_at - time.time()))
    try:
        result = case_advance(case=case, event=event, actor=SYSTEM)
    except CaseConflict as exc:
        print(f"conflict {exc}")
    else:
        print(f"won {result.case.state} v{result.case.version}")


if __name__ == "__main__":
    main()
