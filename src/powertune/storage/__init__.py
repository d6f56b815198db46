"""Everything that reads or writes files: the run ledger's journal (later: prices, results)."""
