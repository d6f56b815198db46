"""Load tests of an API at several memory sizes (Locust), their comparison and PDF reports."""
