"""JSON Schemas published with powertune."""
