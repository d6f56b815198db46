"""API Gateway's REST proxy integration (payload 1.0) as neutral, pure code.

`routes` matches a method and path against a REST API's resources; `events` builds the
proxy event a function receives and parses the proxy response it returns. The local
cloud's API Gateway data plane and `--payload-http` both use it, so a function is tuned
with the event it really receives. It imports nothing else of the tool.
"""
