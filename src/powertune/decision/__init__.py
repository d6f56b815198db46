"""Acting on a tuning result: the pure change policy, apply and rollback through the ledger,
the Terraform write-back, and the GitHub approval gate (see docs/architecture.md)."""
