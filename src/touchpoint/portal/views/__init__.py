"""Portal views, one module per area. Every view reached by a customer's link takes the case from
:func:`touchpoint.portal.access.case_link`, never from an id in the URL."""
