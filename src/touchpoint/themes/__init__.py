"""Recurring themes in what customers tell us (feedback comments and their messages), found
offline with seeded TF-IDF clustering (:mod:`touchpoint.text.themes`), named by a lead with a note
on the fix, and matched against a case's own words so the agent sees "N other customers reported
this"."""
