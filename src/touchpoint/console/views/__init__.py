"""Console views, one module per area; each stays thin (validate, call one service, render)."""
