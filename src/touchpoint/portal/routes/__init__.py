"""URL patterns per portal area, joined in ``touchpoint.portal.urls`` under the ``portal`` namespace.

Case pages live under ``c/<token>/``; the token is the only thing that names a case."""
