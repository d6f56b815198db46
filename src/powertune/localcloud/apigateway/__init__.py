"""API Gateway REST API data plane: the deployed-API catalog, the server and its responses.

The proxy event model and route matching it serves with live in `powertune.apigw`.
"""
