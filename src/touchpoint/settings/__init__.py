"""Settings, one module per concern, all read from environment variables.

``touchpoint.settings`` is the runtime configuration; ``touchpoint.settings.test`` only swaps
the password hasher for a fast one and turns off things tests must not depend on.
"""

from touchpoint.settings.base import *  # noqa: F403
from touchpoint.settings.carriers import *  # noqa: F403
from touchpoint.settings.database import *  # noqa: F403
from touchpoint.settings.delivery import *  # noqa: F403
from touchpoint.settings.inbox import *  # noqa: F403
from touchpoint.settings.logging import *  # noqa: F403
from touchpoint.settings.payments import *  # noqa: F403
from touchpoint.settings.proxies import *  # noqa: F403
from touchpoint.settings.security import *  # noqa: F403
from touchpoint.settings.sms import *  # noqa: F403
from touchpoint.settings.staff import *  # noqa: F403
from touchpoint.settings.uploads import *  # noqa: F403
from touchpoint.settings.watchdog import *  # noqa: F403
