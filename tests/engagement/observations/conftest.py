"""Fixtures of the tests of engagement/observations/."""
