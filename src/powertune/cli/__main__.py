"""`python -m powertune.cli` runs the CLI (used by benchmarks and tests)."""

from powertune.cli.main import main

main()
