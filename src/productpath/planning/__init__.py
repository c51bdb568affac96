"""Planning: scoring, scheduling with dependencies and capacity, Monte Carlo forecasts. Pure."""
