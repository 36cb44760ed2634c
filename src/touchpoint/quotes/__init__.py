"""Extra work found at diagnosis, with its price and explanation, approved or declined by the customer."""
