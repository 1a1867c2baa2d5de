"""Fixtures of the tests of engagement/barriers/."""
