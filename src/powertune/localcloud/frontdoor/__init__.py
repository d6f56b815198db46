"""The local cloud's single HTTP entry point and how it routes requests."""
