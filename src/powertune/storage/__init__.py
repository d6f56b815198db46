"""Everything that reads or writes the tool's files: result files, price tables, the journal."""
