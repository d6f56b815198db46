"""Files the tool reads and writes: price tables, result files, the run ledger's journal."""
