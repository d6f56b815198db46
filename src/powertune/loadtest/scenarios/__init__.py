"""Locust files shipped with powertune: the items API scenarios and the raw-sample recorder.

These files are handed to `python -m locust -f ...` in a child process and must
never be imported by the tuner: importing locust monkey-patches the standard
library with gevent (locustio/locust#2250). This package's `__init__` imports
nothing, so `importlib.resources` can find the files without that happening.
"""
