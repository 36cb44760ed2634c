from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fresh_settings_copy(settings: Any, tmp_path: Path) -> Iterator[None]:
    """Each test starts from the database's settings, not a copy another test's process kept, and
    keeps uploaded logos in its own folder."""
    from touchpoint.shop.selectors import shop_settings_forget

    settings.MEDIA_ROOT = tmp_path / "media"
    shop_settings_forget()
    yield
    shop_settings_forget()
