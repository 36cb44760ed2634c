"""Extra work found at diagnosis, with its price and explanation, approved or declined by the customer.

Here are the records and their reads; proposing and deciding move the case: :mod:`touchpoint.flows.quotes`."""
