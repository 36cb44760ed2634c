"""``python -m touchpoint.journeys.cli check mail-in-repair``: the journey tools without Django."""

import sys

from touchpoint.journeys.cli.run import main

sys.exit(main())
