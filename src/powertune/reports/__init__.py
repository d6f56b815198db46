"""Reports: one report model, pure renderers per format."""
