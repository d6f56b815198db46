"""API Gateway REST API data plane: routes, proxy events (payload 1.0) and responses."""
