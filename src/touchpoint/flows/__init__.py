"""Flows: what moves a case, writing across the records of several apps in one transaction.

A move writes the case, its timeline, its timers and tasks, the messages it sends (the outbox,
rendered from the touch points, which read payments, quotes and links) and the refunds it promises.
So these services sit above every app's records and below the apps that react to the world
(inbox, shipping, feedback, remedies) and the web layers (decision 11):

- ``advance``   ``case_open``, ``case_advance``: a transition and its effects, in one commit
- ``timers``    ``timer_fire``: a wait limit or deadline running out
- ``together``  ``cases_advance_together``: several cases' moves written together (the timer sweep)
- ``intake``    ``order_place``: a mail-in repair order and its case
- ``walkins``   ``walkin_open``: a customer at the counter and their case
- ``payments``  card checkouts, the provider's events and money seen arriving, each with its move
- ``refunds``   the refunds a move promises, sent through the provider or paid back by a person
- ``quotes``    extra work proposed, and the customer's answer with its move
- ``jobs``      the worker job that sends the refunds due
"""
