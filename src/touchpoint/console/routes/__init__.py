"""URL patterns per console area, joined in ``touchpoint.console.urls`` under the ``console`` namespace."""
