"""Fixtures of the tests of engagement/export/."""
