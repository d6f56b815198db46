"""The pure tuning core: models, plan, statistics, pricing, strategies, analysis.

Nothing in this package does I/O (no boto3, sockets, subprocess, clock or
environment); an import-linter contract in pyproject.toml enforces it.
"""
